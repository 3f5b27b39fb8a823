"""Knowledge base: drafts approved by a shift lead, effective dates, diacritic-insensitive
search, suggestions per case type, flags, canned answers with variables; pages and API."""

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer(db, center):
    from cskh.org.services import create_user

    return create_user(username="bientap", password="Matkhau!2026", role="agent", unit=center)


@pytest.fixture
def billing(profile):
    from cskh.catalog.services import get_case_type

    return get_case_type("billing")


def _draft(writer, billing, **kw):
    from cskh.knowledge.services import create_article

    return create_article(
        title=kw.pop("title", "Hóa đơn tiền điện tăng cao"),
        body=kw.pop("body", "Giá bán lẻ điện sinh hoạt bậc thang 6 bậc; kiểm tra chỉ số công tơ."),
        topic=kw.pop("topic", "tariff"),
        case_type=billing,
        author=writer,
        **kw,
    )


def test_agents_see_an_article_only_once_a_shift_lead_approved_it(writer, lead, agent, billing):
    from cskh.core.errors import Forbidden
    from cskh.knowledge import selectors, services

    v1 = _draft(writer, billing)
    assert selectors.search("hoa don") == []
    with pytest.raises(Forbidden):
        services.approve_version(version=v1, approver=agent)
    services.approve_version(version=v1, approver=lead)
    found = selectors.search("hoa don tang")
    assert [v.pk for v in found] == [v1.pk]
    assert [v.pk for v in selectors.suggested_for(type_code="billing")] == [v1.pk]
    assert selectors.suggested_for(type_code="outage") == []


def test_a_lead_cannot_approve_their_own_draft(lead, billing):
    from cskh.core.errors import Forbidden
    from cskh.knowledge.services import approve_version

    v = _draft(lead, billing)
    with pytest.raises(Forbidden):
        approve_version(version=v, approver=lead)


def test_new_version_replaces_the_old_one_from_its_effective_date(writer, lead, billing):
    from cskh.knowledge import selectors, services

    v1 = _draft(writer, billing)
    services.approve_version(version=v1, approver=lead)
    article = v1.article
    today = timezone.localdate()
    future = services.add_version(
        article=article,
        title="Hóa đơn tiền điện (biểu giá mới)",
        body="Biểu giá mới 5 bậc.",
        effective_from=today + timedelta(days=10),
        author=writer,
    )
    assert selectors.current_version(article).pk == v1.pk  # draft: not yet
    services.approve_version(version=future, approver=lead)
    assert selectors.current_version(article).pk == v1.pk  # approved but not effective yet
    later = today + timedelta(days=11)
    assert selectors.current_version(article, today=later).pk == future.pk
    assert len(selectors.search("bieu gia")) == 0  # search shows only what is in force today


def test_search_is_diacritic_insensitive_and_ranks_titles_first(writer, lead, billing):
    from cskh.knowledge import selectors, services

    a = _draft(
        writer,
        billing,
        title="Thủ tục sang tên hợp đồng",
        topic="procedure",
        body="Mang CCCD và giấy tờ nhà đến phòng giao dịch.",
    )
    b = _draft(
        writer,
        billing,
        title="Giấy tờ cần có",
        topic="documents",
        body="Sang tên hợp đồng cần: CCCD, sổ đỏ.",
    )
    for v in (a, b):
        services.approve_version(version=v, approver=lead)
    assert [v.pk for v in selectors.search("sang ten hop dong")] == [a.pk, b.pk]
    assert [v.pk for v in selectors.search("SANG TÊN")][:1] == [a.pk]
    assert selectors.search("khong co tu nay") == []


def test_agents_flag_a_wrong_article_and_a_lead_resolves(writer, lead, agent, billing, client):
    from cskh.knowledge.models import ArticleFlag
    from cskh.knowledge.services import approve_version

    v = _draft(writer, billing)
    approve_version(version=v, approver=lead)
    client.force_login(agent)
    r = client.post(f"/kb/{v.article_id}/flag", {"reason": "Giá bậc 1 đã đổi từ tháng 5"})
    assert r.status_code == 302
    flag = ArticleFlag.objects.get()
    assert flag.version == v and flag.user == agent
    client.force_login(lead)
    r = client.get("/kb/")
    assert "Giá bậc 1 đã đổi" in r.content.decode()
    client.post(f"/kb/flags/{flag.pk}/resolve")
    flag.refresh_from_db()
    assert flag.resolved_at is not None


def test_pages_write_approve_and_search(writer, lead, agent, billing, client):
    client.force_login(writer)
    r = client.post(
        "/kb/new",
        {
            "title": "Mất điện do sự cố lưới",
            "topic": "procedure",
            "type": "billing",
            "body": "Hướng dẫn khách chờ đội sửa chữa.",
            "effective_from": "",
        },
    )
    assert r.status_code == 302
    article_url = r["Location"]
    client.force_login(agent)
    assert "Mất điện do sự cố lưới" not in client.get("/kb/", {"q": "mat dien"}).content.decode()
    assert client.get(article_url).status_code == 404  # not approved: hidden from agents
    client.force_login(lead)
    page = client.get(article_url)
    version = page.context["versions"][0]
    client.post(f"/kb/versions/{version.pk}/approve")
    client.force_login(agent)
    r = client.get("/kb/", {"q": "mat dien"}, HTTP_HX_REQUEST="true")
    assert "Mất điện do sự cố lưới" in r.content.decode()
    assert "<html" not in r.content.decode()  # HTMX partial for the desk card
    r = client.post("/kb/new", {"title": "", "topic": "procedure", "body": "x"})
    assert r.status_code == 400 and "Thiếu nội dung" in r.content.decode()


def test_canned_answers_fill_known_variables(world, billing):
    from cskh.knowledge.selectors import canned_for
    from cskh.knowledge.services import create_canned_answer

    create_canned_answer(title="Chung", body="Cảm ơn {{ten_khach_hang}}.")
    create_canned_answer(
        title="Hóa đơn",
        body="Chào {{ten_khach_hang}} ({{ma_khach_hang}}), yêu cầu {{so_vu_viec}} hạn {{han_xu_ly}}.",
        case_type=billing,
    )
    answers = canned_for(type_code="billing", customer=world["customer"], agent=world["agent"])
    assert [a["answer"].title for a in answers] == ["Hóa đơn", "Chung"]
    text = answers[0]["text"]
    assert text.startswith(
        f"Chào Nguyễn Văn An ({world['customer'].code}), yêu cầu {{{{so_vu_viec}}}}"
    )


@pytest.mark.django_db(transaction=True)
def test_api_search_create_approve_flag(world, writer, lead, billing, live_server):
    import httpx

    from cskh.org.services import create_api_token

    def client(user):
        return httpx.Client(
            base_url=live_server.url,
            headers={"Authorization": f"Bearer {create_api_token(user=user)}"},
        )

    with client(writer) as w, client(lead) as ld, client(world["agent"]) as ag:
        r = w.post(
            "/api/v1/knowledge/articles",
            json={"title": "Tiền điện tháng 7", "body": "Giải thích.", "case_type": "billing"},
        )
        assert r.status_code == 201, r.text
        art = r.json()["article"]
        assert ag.get("/api/v1/knowledge/articles", params={"q": "tien dien"}).json()["items"] == []
        assert ag.post(f"/api/v1/knowledge/articles/{art}/versions/1/approve").status_code == 403
        assert ld.post(f"/api/v1/knowledge/articles/{art}/versions/1/approve").status_code == 200
        items = ag.get("/api/v1/knowledge/articles", params={"q": "tien dien"}).json()["items"]
        assert [i["title"] for i in items] == ["Tiền điện tháng 7"]
        items = ag.get("/api/v1/knowledge/articles", params={"type": "billing"}).json()["items"]
        assert [i["article"] for i in items] == [art]
        r = ag.post(f"/api/v1/knowledge/articles/{art}/flags", json={"reason": "Sai số liệu"})
        assert r.status_code == 201
        r = ag.post("/api/v1/knowledge/articles", json={"title": "", "body": ""})
        assert r.status_code == 400 and r.json()["code"] == "missing_text"


def test_live_version_selectors_give_one_version_per_active_article(writer, lead, billing):
    """The selectors the search index reads: the version in force today, one per article,
    nothing for drafts or inactive articles."""
    from cskh.knowledge import selectors, services
    from cskh.knowledge.models import Article

    v1 = _draft(writer, billing)
    assert selectors.live_version(v1.article_id) is None  # a draft is not live
    services.approve_version(version=v1, approver=lead)
    v2 = services.add_version(
        article=v1.article,
        title="Hóa đơn (bản 2)",
        body="Bản mới.",
        effective_from=None,
        author=writer,
    )
    services.approve_version(version=v2, approver=lead)
    other = _draft(writer, billing, title="Đổi công tơ")
    services.approve_version(version=other, approver=lead)

    assert selectors.live_version(v1.article_id).pk == v2.pk
    assert selectors.live_version(v1.article_id).article.pk == v1.article_id
    assert sorted(v.pk for v in selectors.live_versions()) == sorted([v2.pk, other.pk])

    Article.objects.filter(pk=other.article_id).update(is_active=False)
    assert selectors.live_version(other.article_id) is None
    assert [v.pk for v in selectors.live_versions()] == [v2.pk]
