"""At 390 px (a phone) the public schedule and the work-order list fit the screen: no sideways
scrolling (#21)."""

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_public_schedule_fits_a_phone(browser, live_server, network, lead):
    from cskh.incidents import services
    from cskh.incidents.models import Incident

    start = timezone.now() + timedelta(days=2)
    inc = services.create_incident(
        kind="planned_outage",
        title="Bảo trì trạm T1",
        scope={"transformers": ["T1"]},
        actor=lead,
        started_at=start,
        eta=start + timedelta(hours=4),
        reason="Thay máy biến áp và bảo dưỡng tủ điện hạ thế định kỳ hằng năm",
    )
    Incident.objects.filter(pk=inc.pk).update(ends_at=start + timedelta(hours=4))
    ctx = browser.new_context(viewport=PHONE, locale="vi-VN", base_url=live_server.url)
    try:
        page = ctx.new_page()
        page.goto("/lich-ngung-cung-cap-dien/?q=Bến Thành")
        page.wait_for_selector("#schedule")
        assert overflow(page) <= 0
    finally:
        ctx.close()


def test_work_order_list_fits_a_phone(page_for, world, unit_staff, lead):
    from cskh.cases.services import open_case
    from cskh.catalog.models import CaseType
    from cskh.dispatch import services as dispatch

    unit_staff.set_password("Matkhau!2026")
    unit_staff.save()
    for i in range(3):
        case = open_case(
            customer=world["customer"],
            case_type=CaseType.objects.get(code="meter"),
            description=f"Công tơ chạy nhanh bất thường lần {i}",
        )
        dispatch.dispatch_case(case=case, actor=lead, instructions="Kiểm tra công tơ tại nhà")
    page = page_for(unit_staff, viewport=(390, 844))
    page.goto("/portal/")
    page.wait_for_selector("table.wos tbody tr[data-wo]")
    assert overflow(page) <= 0
