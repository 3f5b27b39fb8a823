from django.db import migrations


def load(apps, schema_editor):
    from cskh.geo.services import load_legacy_wards

    load_legacy_wards(legacy_model=apps.get_model("geo", "LegacyWard"))


class Migration(migrations.Migration):
    dependencies = [("geo", "0003_legacyward")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
