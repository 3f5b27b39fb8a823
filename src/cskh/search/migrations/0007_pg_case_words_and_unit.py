"""PostgreSQL: the case partition's GIN index covers the words and the unit together
(``gin (tsv, unit_id)``, extension btree_gin), like the customer partition's (tsv, unit_ids).

Why: a unit's staff searching older cases by words ("toan tien") got a bitmap of every case with
those words (hundreds of thousands, lossy beyond work_mem) ANDed with the unit's cases, then a
recheck of ~30,000 heap pages: 0.3–0.8 s. With the unit inside the GIN scan the bitmap holds
only the unit's matches. The unit is compared as bigint (the column's type): btree_gin has no
cross-type operator, so ``unit_id IN (3)`` with an integer would not use the index.
SQLite: nothing (FTS5)."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "SET LOCAL maintenance_work_mem = '512MB'",
    "DROP INDEX IF EXISTS search_doc_tsv_case",
    "CREATE INDEX IF NOT EXISTS search_doc_tsv_case ON search_document_case "
    "USING gin (tsv, unit_id)",
    "ANALYZE search_document_case",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_doc_tsv_case",
    "CREATE INDEX IF NOT EXISTS search_doc_tsv_case ON search_document_case USING gin (tsv)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0006_pg_vacuum_documents")]

    operations = [migrations.RunPython(forward, backward)]
