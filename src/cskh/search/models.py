from django.db import models


class SearchDocument(models.Model):
    """One searchable object (customer, case or knowledge article), owned by the search app.

    ``title``/``body`` keep the original spelling (shown, highlighted); ``title_folded``,
    ``body_folded`` and ``keys`` are the matching form (cskh.textintel.normalize.fold: no tones,
    đ→d, lower case). The full-text index lives next to this table and is created by the
    migrations per database: SQLite an FTS5 table ``search_fts`` kept in sync by triggers;
    PostgreSQL a generated ``tsv`` tsvector column (GIN) and a pg_trgm GIN index on ``keys``,
    the table list-partitioned by ``kind`` (one partition, statistics and indexes per kind;
    primary key (id, kind)) with an extra ``unit_ids`` column on customers (the units of their
    cases, for unit staff), both created by migration 0005.
    Rows are written only by cskh.search.indexing (through cskh.search.backends)."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer"
        CASE = "case"
        ARTICLE = "article"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    object_id = models.BigIntegerField()
    # Access control: the owning unit of a case (customers and articles: null).
    unit_id = models.BigIntegerField(null=True, blank=True)
    # The public identifier returned by the API (customer id, case number, article id).
    ref = models.CharField(max_length=40)
    title = models.TextField()
    body = models.TextField(blank=True)
    # Identifiers in matching form: codes, phone numbers (national and 84… forms), case numbers.
    keys = models.TextField(blank=True)
    title_folded = models.TextField()
    body_folded = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_doc_kind_object")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}"
