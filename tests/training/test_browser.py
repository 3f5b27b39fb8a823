"""Training end to end in Chromium: a mandatory change on the desk is confirmed and the lead
sees it; a quiz is passed with a certificate; coaching from a QA review is acknowledged."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_mandatory_change_confirmed_from_the_desk(teams, version, session_page):
    from cskh.training.services import require_reading

    req = require_reading(
        version=version,
        summary="Giá bậc 1 tăng từ 1/1",
        due_on=timezone.localdate() + timedelta(days=2),
        actor=teams["lead"],
    )
    agent = session_page(teams["agent"], "/desk/", wait_for="[data-testid=mandatory-badge]")
    badge = agent.locator("[data-testid=mandatory-badge]")
    badge.locator("summary").click()
    badge.get_by_role("link", name="Biểu giá điện sinh hoạt mới").click()
    expect(agent.locator(".kbbody")).to_contain_text("1.984 đồng/kWh")
    agent.get_by_role("button", name="Tôi đã đọc và hiểu thay đổi này").click()
    expect(agent.locator("[data-testid=confirmed]")).to_be_visible()
    agent.goto("/desk/", wait_until="domcontentloaded")
    expect(agent.locator("#desk")).to_be_visible()
    expect(agent.locator("[data-testid=mandatory-badge]")).to_have_count(0)

    lead = session_page(teams["lead"], f"/dao-tao/bat-buoc/{req.pk}/")
    teams_table = lead.locator("[data-testid=teams]")
    row = teams_table.locator("tr", has_text="Trung tâm CSKH")
    expect(row.locator("[data-testid=done]")).to_contain_text("Trần Lan")
    expect(
        teams_table.locator("tr", has_text="Tổ 1").locator("[data-testid=missing]")
    ).to_contain_text("Lê Hoa")
    lead.goto("/dao-tao/bat-buoc/")
    expect(lead.locator("[data-testid=requirements]")).to_contain_text(
        "1/2"
    )  # a2 is outside the lead's units


def test_agent_takes_a_quiz_and_passes(teams, path, session_page):
    page = session_page(teams["a1"], f"/dao-tao/lo-trinh/{path.pk}/")
    page.get_by_role("button", name="Bắt đầu học").click()
    page.get_by_role("link", name="Giao tiếp").click()
    page.get_by_label("Anh/chị – em").check()
    page.get_by_label("Tổng đài xin nghe").check()
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.locator("p.success")).to_contain_text("Đạt: 100%")
    page.get_by_role("link", name="Đọc quy định").click()
    page.get_by_role("button", name="Tôi đã đọc xong").click()
    expect(page.locator("[data-testid=completed]")).to_be_visible()
    page.get_by_role("link", name="Xem chứng nhận").click()
    expect(page.locator("[data-testid=certificate]")).to_contain_text("Lê Hoa")
    expect(page.locator("[data-testid=certificate]")).to_contain_text("CSKH-")


def test_lead_coaches_from_a_qa_review_and_agent_acknowledges(world, teams, session_page):
    from cskh.cases import services as cases
    from cskh.catalog.services import get_case_type
    from cskh.qa.services import publish_scorecard, sample_week, score_review

    card = publish_scorecard(name="Cuộc gọi", criteria=[("Chào", 10, False), ("Xác minh", 0, True)])
    case = cases.open_case(
        customer=world["customer"],
        case_type=get_case_type("billing"),
        description="Hóa đơn cao",
        actor=world["agent"],
        assign_to_actor=True,
    )
    (review,) = sample_week(week=timezone.localdate(case.created_at), seed=1)
    score_review(
        review=review, reviewer=teams["lead"], met={c.pk: False for c in card.criteria.all()}
    )

    lead = session_page(teams["lead"], f"/qa/reviews/{review.pk}/")
    lead.locator("[data-testid=coach]").click()
    expect(lead.locator(f"input[name=reviews][value='{review.pk}']")).to_be_checked()
    lead.get_by_label("Chủ đề").fill("Xác minh danh tính")
    lead.get_by_label("Hành động đã thống nhất (mỗi dòng một việc)").fill(
        "Hỏi mã khách hàng trước khi đọc hóa đơn\nNghe lại 3 cuộc gọi mẫu"
    )
    lead.get_by_role("button", name="Lưu buổi kèm cặp").click()
    expect(lead.locator("[data-testid=actions] li")).to_have_count(2)
    url = lead.url

    agent = session_page(teams["agent"], "/dao-tao/")
    agent.get_by_role("link", name="Xác minh danh tính").click()
    assert agent.url == url
    expect(agent.get_by_role("link", name=case.number)).to_be_visible()
    agent.get_by_role("button", name="Tôi đồng ý với các hành động đã thống nhất").click()
    expect(agent.locator("[data-testid=acknowledged]")).to_be_visible()
    lead.reload()
    expect(lead.locator("[data-testid=acknowledged]")).to_be_visible()
