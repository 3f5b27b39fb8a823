"""PostgreSQL: the customers' name prefix index in the "C" collation, so that it serves both
``LIKE 'prefix%'`` and ``ORDER BY`` (a text_pattern_ops index cannot give the order, and
'nguy%' matched 40% of customers before a sort)."""

from django.db import migrations

FORWARD = [
    "DROP INDEX IF EXISTS search_doc_name_prefix",
    'CREATE INDEX search_doc_name_prefix ON search_searchdocument ((title_folded COLLATE "C")) '
    "WHERE kind = 'customer'",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_doc_name_prefix",
    "CREATE INDEX search_doc_name_prefix ON search_searchdocument "
    "(title_folded text_pattern_ops) WHERE kind = 'customer'",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_pg_partial_indexes")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
