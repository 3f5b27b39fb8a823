"""PostgreSQL specifics: cskh_fold (unaccent wrapper) agrees with textintel's fold."""

import re

import pytest
from django.db import connection

from cskh.textintel.normalize import fold

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
def test_gin_indexes_exist():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cur:
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'search_searchdocument'")
        names = {r[0] for r in cur.fetchall()}
    assert {"search_doc_tsv_customer", "search_doc_tsv_case", "search_doc_keys_trgm"} <= names
    assert "search_doc_name_prefix" in names
