"""Full-text structures next to search_searchdocument, per database vendor.

SQLite: an external-content FTS5 table ``search_fts`` over the folded columns, kept in sync by
triggers (FTS5's own remove_diacritics does not fold đ, so the folded text is indexed).
PostgreSQL: unaccent + pg_trgm, an immutable ``cskh_fold(text)`` wrapper (used by bulk
indexing), a generated tsvector column ``tsv`` with a GIN index and a trigram GIN index on
``keys`` (partial phone numbers, codes)."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title_folded, keys, body_folded,
        content='search_searchdocument', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2", prefix='2 3 4')""",
    """CREATE TRIGGER search_doc_ai AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title_folded, keys, body_folded)
        VALUES (new.id, new.title_folded, new.keys, new.body_folded);
    END""",
    """CREATE TRIGGER search_doc_ad AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_folded, keys, body_folded)
        VALUES ('delete', old.id, old.title_folded, old.keys, old.body_folded);
    END""",
    """CREATE TRIGGER search_doc_au AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_folded, keys, body_folded)
        VALUES ('delete', old.id, old.title_folded, old.keys, old.body_folded);
        INSERT INTO search_fts(rowid, title_folded, keys, body_folded)
        VALUES (new.id, new.title_folded, new.keys, new.body_folded);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_doc_au",
    "DROP TRIGGER IF EXISTS search_doc_ad",
    "DROP TRIGGER IF EXISTS search_doc_ai",
    "DROP TABLE IF EXISTS search_fts",
]

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # unaccent() is only STABLE (it depends on search_path); pinning the dictionary and the
    # schema makes this wrapper safe to declare IMMUTABLE (indexes, generated columns).
    # No whitespace collapsing: the tsvector and the scorer work on words, and a regexp here
    # would triple the bulk indexing time.
    """CREATE OR REPLACE FUNCTION cskh_fold(text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
        $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$""",
    """ALTER TABLE search_searchdocument ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_folded || ' ' || keys), 'A') ||
        setweight(to_tsvector('simple'::regconfig, body_folded), 'C')) STORED""",
    "CREATE INDEX search_doc_tsv ON search_searchdocument USING gin (tsv)",
    "CREATE INDEX search_doc_keys_trgm ON search_searchdocument USING gin (keys gin_trgm_ops)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS search_doc_keys_trgm",
    "DROP INDEX IF EXISTS search_doc_tsv",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS tsv",
    "DROP FUNCTION IF EXISTS cskh_fold(text)",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}),
        )
    ]
