"""PostgreSQL specifics: cskh_fold (unaccent wrapper) agrees with textintel's fold."""

import re

import pytest
from django.db import connection

from cskh.core.text import fold

pytestmark = pytest.mark.postgres

SAMPLES = [
    "Mất điện",
    "ĐƯỜNG Nguyễn Thị Minh Khai",
    "Thuỷ  Hoà Quý",
    "ẤẦẨẪẬ ắằẳẵặ ếềểễệ ốồổỗộ",
    "ớờởỡợ ứừửữự ỳýỷỹỵ íìỉĩị",
    "Đắk Lắk, Bà Rịa–Vũng Tàu",
    "CS-2026-000123 pe01000123456",
]


@pytest.mark.django_db
def test_cskh_fold_matches_python_fold():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: cskh_fold is the unaccent wrapper used for bulk indexing")
    with connection.cursor() as cur:
        for s in SAMPLES:
            cur.execute("SELECT cskh_fold(%s)", [s])
            folded = cur.fetchone()[0]
            # identical words; punctuation outside ASCII may differ (fold drops it)
            assert re.findall(r"[a-z0-9]+", folded) == re.findall(r"[a-z0-9]+", fold(s)), s


@pytest.mark.django_db
def test_one_partition_per_kind_with_its_indexes():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'search_searchdocument'::regclass"
        )
        parts = {r[0] for r in cur.fetchall()}
        cur.execute("SELECT tablename, indexname FROM pg_indexes WHERE tablename LIKE 'search_%%'")
        names = {r[1] for r in cur.fetchall()}
    assert parts == {"search_document_customer", "search_document_case", "search_document_article"}
    assert {
        "search_doc_tsv_customer",
        "search_doc_tsv_case",
        "search_doc_keys_trgm_case",
        "search_doc_keys_trgm_customer",
        "search_doc_name_prefix",
        "search_doc_case_unit",
    } <= names


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["customer", "case"])
def test_a_query_on_one_kind_reads_only_that_kinds_partition(kind):
    """The plan is estimated from the kind's own statistics: partition pruning at plan time."""
    import json

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cur:
        cur.execute(
            "EXPLAIN (FORMAT JSON) SELECT id FROM search_searchdocument d "
            "WHERE d.kind = %s AND d.tsv @@ to_tsquery('simple', 'mat & dien')",
            [kind],
        )
        plan = cur.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    relations = set()

    def walk(node):
        if "Relation Name" in node:
            relations.add(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    assert relations == {f"search_document_{kind}"}


@pytest.mark.django_db
def test_unit_staff_case_words_use_one_gin_scan_for_words_and_unit():
    """The case partition's GIN index takes the words and the unit together (btree_gin): the
    unit filter the backend writes is bigint, so it can be an index condition."""
    import json

    from cskh.search.backends.postgres import PostgresBackend

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    extra, params = PostgresBackend().unit_filter("case", [3])
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET LOCAL enable_indexscan = off")  # bitmap scans: the GIN index or the btree
        cur.execute("DROP INDEX search_doc_case_unit")  # rolled back with the test's transaction
        cur.execute(
            "EXPLAIN (FORMAT JSON) SELECT id FROM search_document_case d "  # the partition
            f"WHERE d.tsv @@ to_tsquery('simple', 'mat & dien'){extra}",
            params,
        )
        plan = cur.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    conds = []

    def walk(node):
        if node.get("Index Name") == "search_doc_tsv_case":
            conds.append(node.get("Index Cond", ""))
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    assert conds and "tsv @@" in conds[0] and "unit_id" in conds[0]


@pytest.mark.django_db
def test_new_case_document_equals_a_full_reindex(world):
    """index_new_case (the case_opened hook) builds what index_case reads back from the
    database, on both databases."""
    from cskh.cases.services import open_case, transition
    from cskh.catalog.services import get_case_type
    from cskh.search import services
    from cskh.search.models import SearchDocument

    def doc(case):
        return SearchDocument.objects.filter(kind="case", object_id=case.pk).values(
            "unit_id", "ref", "title", "body", "keys", "title_folded", "body_folded"
        )[0]

    case = open_case(
        customer=world["customer"],
        case_type=get_case_type("billing"),
        description="Hóa đơn tháng 10 TĂNG gấp đôi, đề nghị kiểm tra công tơ",
        subject="Hóa đơn bất thường",
    )
    opened = doc(case)
    assert opened["ref"] == case.number and "hoa don thang 10 tang" in opened["body_folded"]
    services.index_case(case)
    assert doc(case) == opened
    resolved = transition(case=case, to="resolved", note="Đã kiểm tra, chỉ số đúng")
    assert "chi so dung" in doc(resolved)["body_folded"]  # later changes: full reindex
