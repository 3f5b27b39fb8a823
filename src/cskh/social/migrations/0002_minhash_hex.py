"""Mention.minhash as hex text instead of bytea: a batch INSERT of mentions then takes
PostgreSQL's UNNEST form (bytea fields keep Django on one placeholder per value)."""

from django.db import migrations, models


def to_hex(apps, schema_editor):
    Mention = apps.get_model("social", "Mention")
    batch = []
    for pk, raw in (
        Mention.objects.exclude(minhash_raw=None).values_list("pk", "minhash_raw").iterator(2000)
    ):
        batch.append(Mention(pk=pk, minhash=bytes(raw).hex()))
        if len(batch) >= 2000:
            Mention.objects.bulk_update(batch, ["minhash"])
            batch = []
    if batch:
        Mention.objects.bulk_update(batch, ["minhash"])


def to_bytes(apps, schema_editor):
    Mention = apps.get_model("social", "Mention")
    for pk, text in Mention.objects.exclude(minhash="").values_list("pk", "minhash").iterator(2000):
        Mention.objects.filter(pk=pk).update(minhash_raw=bytes.fromhex(text))


class Migration(migrations.Migration):
    dependencies = [("social", "0001_initial")]

    operations = [
        migrations.RenameField("mention", "minhash", "minhash_raw"),
        migrations.AddField(
            model_name="mention",
            name="minhash",
            field=models.CharField(blank=True, default="", max_length=512),
        ),
        migrations.RunPython(to_hex, to_bytes),
        migrations.RemoveField("mention", "minhash_raw"),
    ]
