from django.db import migrations


def load(apps, schema_editor):
    from cskh.geo.services import load_admin_units

    load_admin_units(province_model=apps.get_model("geo", "Province"), legacy_model=None,
                     ward_model=apps.get_model("geo", "Ward"))


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
