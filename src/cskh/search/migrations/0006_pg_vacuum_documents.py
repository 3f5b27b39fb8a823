"""PostgreSQL: VACUUM (ANALYZE) the documents copied by 0005, outside a transaction: sets the
hint bits and visibility map of the fresh rows (otherwise the first searches write those pages)
and gives every partition its statistics (autovacuum may be off). SQLite: nothing."""

from django.db import migrations


def vacuum(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("VACUUM (ANALYZE) search_searchdocument")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("search", "0005_pg_partition_by_kind")]

    operations = [migrations.RunPython(vacuum, migrations.RunPython.noop)]
