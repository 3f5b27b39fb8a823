"""Search behaviour on the real database (SQLite FTS5 or PostgreSQL tsvector/pg_trgm)."""

import pytest

from cskh.core.errors import DomainError
from cskh.search import selectors, services
from cskh.search.models import SearchDocument


def find(user, q, kind=None, limit=20):
    return selectors.search(user, q, kind=kind, limit=limit)


def refs(hits, kind=None):
    return [h.id for h in hits if kind is None or h.kind == kind]


def test_mat_dien_finds_mat_dien_with_highlight_in_original_spelling(sworld):
    hits = find(sworld["agent"], "mat dien", kind="case")
    assert set(refs(hits)) == {sworld["case_an"].number, sworld["case_binh"].number}
    snippets = " ".join(h.snippet for h in hits)
    assert "<mark>Mất</mark> <mark>điện</mark> cả khu phố" in snippets
    assert all(0 < h.score <= 1 for h in hits)


def test_name_without_tones_finds_customer_and_marks_name(sworld):
    hits = find(sworld["agent"], "nguyen van an", kind="customer")
    assert refs(hits)[0] == sworld["an"].id
    assert hits[0].title == "Nguyễn Văn An"
    assert hits[0].title_html == "<mark>Nguyễn</mark> <mark>Văn</mark> <mark>An</mark>"


def test_d_stroke_is_folded(sworld):
    hits = find(sworld["agent"], "duong nguyen trai", kind="customer")
    assert refs(hits) == [sworld["binh"].id]
    assert "<mark>Đường</mark> <mark>Nguyễn</mark> <mark>Trãi</mark>" in hits[0].snippet
    # and the other way round: typing đ finds text typed without it
    assert refs(find(sworld["agent"], "Đường Lê Lợi", kind="case")) == [sworld["case_an"].number]


def test_prefix_as_you_type(sworld):
    assert sworld["an"].id in refs(find(sworld["agent"], "nguy", kind="customer"))
    assert refs(find(sworld["agent"], "tran thi bi", kind="customer")) == [sworld["binh"].id]
    assert refs(find(sworld["agent"], "khu ph", kind="case")) == [sworld["case_an"].number]


def test_partial_phone_digits(sworld):
    hits = find(sworld["agent"], "0901 23", kind="customer")
    assert refs(hits) == [sworld["an"].id]
    assert "<mark>090123</mark>4567" in hits[0].snippet
    # the middle / end of a number, and the international form
    assert refs(find(sworld["agent"], "888 777", kind="customer")) == [sworld["binh"].id]
    hits = find(sworld["agent"], "+84 912 888", kind="customer")
    assert refs(hits) == [sworld["binh"].id]
    assert "<mark>0912888</mark>777" in hits[0].snippet
    assert refs(find(sworld["agent"], "0999 000", kind="customer")) == []


def test_customer_code_and_case_number(sworld):
    code = sworld["an"].code
    assert refs(find(sworld["agent"], code.lower(), kind="customer")) == [sworld["an"].id]
    assert refs(find(sworld["agent"], "PE01000999888")) == [sworld["binh"].id]
    number = sworld["case_binh"].number  # e.g. CS-2026-000002
    hits = find(sworld["agent"], number)
    assert hits[0].kind == "case" and hits[0].id == number
    assert hits[0].url.endswith(f"/desk/cases/{number}/")
    tail = number.rsplit("-", 1)[1]
    assert number in refs(find(sworld["agent"], tail, kind="case"))


def test_ranking_prefers_exact_name_over_partial_match(sworld):
    from cskh.customers.services import create_customer

    create_customer(full_name="Nguyễn Văn Anh Tuấn", phones=["0903000111"])
    create_customer(full_name="Phạm An", address="Số 9 Nguyễn Văn Cừ")
    hits = find(sworld["agent"], "nguyen van an", kind="customer")
    assert hits[0].id == sworld["an"].id
    assert hits[0].score > hits[1].score
    assert len(hits) == 3


def test_highlight_escapes_html(sworld):
    from cskh.customers.services import create_customer

    c = create_customer(full_name="Lê <b>Mạnh</b> & Co", address="<script>x</script> Lê Lợi")
    hits = find(sworld["agent"], "manh", kind="customer")
    assert refs(hits) == [c.id]
    assert hits[0].title_html == "Lê &lt;b&gt;<mark>Mạnh</mark>&lt;/b&gt; &amp; Co"
    assert "<script>" not in hits[0].snippet and "&lt;script&gt;" in hits[0].snippet


def test_unit_staff_only_see_their_units_cases_and_customers(sworld):
    staff = sworld["unit_staff"]
    cases = find(staff, "mat dien", kind="case")
    assert refs(cases) == [sworld["case_an"].number]
    assert refs(find(staff, "tran thi binh")) == []
    assert refs(find(staff, "0912 888")) == []
    assert refs(find(staff, "nguyen van an", kind="customer")) == [sworld["an"].id]
    # the center agent sees both
    assert len(find(sworld["agent"], "mat dien", kind="case")) == 2


def test_unit_staff_without_unit_sees_nothing(sworld):
    from cskh.org.services import create_user

    lonely = create_user(username="nounit", password="Matkhau!2026", role="unit_staff")
    assert find(lonely, "mat dien") == []


def test_index_follows_reassignment_notes_and_customer_changes(sworld):
    from cskh.cases.services import add_note, assign
    from cskh.customers.services import add_phone, update_customer

    staff = sworld["unit_staff"]
    case_binh = sworld["case_binh"]
    assign(case=case_binh, unit=sworld["unit"], actor=sworld["agent"])
    assert case_binh.number in refs(find(staff, "day dien dut", kind="case"))
    add_note(case=case_binh, body="Đã hẹn thợ điện lực đến kiểm tra công tơ", actor=sworld["agent"])
    assert refs(find(sworld["agent"], "cong to", kind="case")) == [case_binh.number]
    update_customer(customer=sworld["binh"], full_name="Trần Thị Bích Ngọc")
    assert refs(find(sworld["agent"], "bich ngoc")) == [sworld["binh"].id]
    assert refs(find(sworld["agent"], "tran thi binh", kind="customer")) == []
    add_phone(customer=sworld["an"], phone="0987 654 321")
    assert refs(find(sworld["agent"], "0987654", kind="customer")) == [sworld["an"].id]


def test_articles_are_searchable_once_approved(sworld, lead):
    from cskh.knowledge.services import approve_version, create_article

    version = create_article(
        title="Thủ tục đổi tên hợp đồng mua bán điện",
        body="Khách hàng mang CCCD và giấy tờ nhà đất đến điểm giao dịch.",
        topic="procedure",
        author=sworld["agent"],
    )
    assert find(sworld["agent"], "doi ten hop dong", kind="article") == []
    approve_version(version=version, approver=lead)
    hits = find(sworld["agent"], "doi ten hop dong", kind="article")
    assert refs(hits) == [version.article_id]
    assert "<mark>đổi</mark> <mark>tên</mark> <mark>hợp</mark> <mark>đồng</mark>" in (
        hits[0].title_html
    )
    # unit staff read the knowledge base too
    assert refs(find(sworld["unit_staff"], "giay to nha dat")) == [version.article_id]


def test_rebuild_recreates_every_document(sworld):
    before = set(SearchDocument.objects.values_list("kind", "object_id", "title", "keys"))
    SearchDocument.objects.all().delete()
    assert find(sworld["agent"], "mat dien") == []
    stats = services.rebuild(batch=1)
    assert stats["rows"]["customer"] == 2 and stats["rows"]["case"] == 2
    after = set(SearchDocument.objects.values_list("kind", "object_id", "title", "keys"))
    assert after == before
    assert len(find(sworld["agent"], "mat dien", kind="case")) == 2
    services.rebuild(kind="case")
    assert SearchDocument.objects.filter(kind="case").count() == 2


def test_search_rebuild_command(sworld):
    from io import StringIO

    from django.core.management import call_command

    SearchDocument.objects.all().delete()
    out = StringIO()
    call_command("search_rebuild", stdout=out)
    assert "customer: 2" in out.getvalue()
    assert refs(find(sworld["agent"], "nguyen van an", kind="customer")) == [sworld["an"].id]


def test_bad_queries_are_rejected_in_vietnamese(agent):
    for q, code in [
        ("", "empty_query"),
        ("   ", "empty_query"),
        (None, "empty_query"),
        ("a", "query_too_short"),
        ("!!", "query_too_short"),
        ("x" * 201, "query_too_long"),
        ("a b c d e f g h i", "query_too_long"),
    ]:
        with pytest.raises(DomainError) as exc:
            find(agent, q)
        assert exc.value.code == code and exc.value.status == 400, q
        assert "từ khóa tìm kiếm" in str(exc.value.message).lower(), q


def test_bad_kind_is_rejected(agent):
    with pytest.raises(DomainError) as exc:
        find(agent, "mat dien", kind="invoice")
    assert exc.value.code == "bad_kind"


def test_fts_syntax_in_query_is_plain_text(sworld):
    for q in ['"mat', "mat*", "mat OR dien", "NEAR(mat dien)", "mat:dien", "mat & !dien"]:
        find(sworld["agent"], q)  # never a database error
    assert refs(find(sworld["agent"], "mat: dien*", kind="case"))
