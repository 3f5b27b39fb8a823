from django.db import migrations


def seed(apps, schema_editor):
    from cskh.notify.defaults import DEFAULTS

    Template = apps.get_model("notify", "Template")
    for code, (subject, body) in DEFAULTS.items():
        channels = ("email",) if code.startswith("sla_") else ("sms", "zalo", "email")
        for channel in channels:
            Template.objects.get_or_create(
                code=code, channel=channel, defaults={"subject": subject, "body": body}
            )


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
