"""The unit portal in real Chromium: accept → progress note → done with a photo."""

import pytest

from tests.dispatch.conftest import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_unit_staff_accepts_notes_and_completes(page_for, world, unit_staff, tmp_path, settings):
    from cskh.cases import services as case_services
    from cskh.cases.models import Case
    from cskh.catalog.services import get_case_type
    from cskh.dispatch import services
    from cskh.dispatch.models import Attachment, WorkOrder

    settings.MEDIA_ROOT = tmp_path / "media"
    case = case_services.open_case(
        customer=world["customer"],
        case_type=get_case_type("outage"),
        description="Mất điện cả nhà từ 7 giờ",
        actor=world["agent"],
    )
    wo = services.dispatch_case(case=case, actor=world["agent"], instructions="Gọi trước khi đến")
    photo = tmp_path / "hien-truong.png"
    photo.write_bytes(png_bytes(8, 8))

    page = page_for(unit_staff)
    assert page.url.endswith("/portal/")
    page.get_by_role("link", name=wo.code).click()
    page.wait_for_url(f"**/portal/wo/{wo.pk}/")
    assert page.locator("dd", has_text="Gọi trước khi đến").is_visible()
    page.click("#btn-accept")
    page.wait_for_load_state("load")
    assert page.get_by_role("status").inner_text() == "Đã nhận phiếu."
    page.fill("#note-body", "Đã gọi khách, 15 phút nữa tới")
    page.check("#on-the-way")
    page.click("#btn-note")
    page.wait_for_load_state("load")
    assert page.get_by_text("Đã gọi khách, 15 phút nữa tới").first.is_visible()
    page.fill("#resolution", "Thay cầu chì hạ thế, đã có điện")
    page.set_input_files("#photos", str(photo))
    page.click("#btn-done")
    page.wait_for_load_state("load")
    assert page.get_by_role("status").inner_text() == "Đã báo hoàn thành."
    assert page.locator(".badge.st-done").inner_text() == "Hoàn thành"
    assert page.locator("img[alt='hien-truong.png']").evaluate("i => i.naturalWidth") == 8

    wo = WorkOrder.objects.get(pk=wo.pk)
    assert wo.status == "done" and wo.resolution == "Thay cầu chì hạ thế, đã có điện"
    assert Attachment.objects.get(work_order=wo).purpose == "result"
    case = Case.objects.get(pk=case.pk)
    assert case.status == "resolved"
    actions = [e.data["action"] for e in case.events.filter(kind="dispatch").order_by("id")]
    assert actions == ["dispatched", "accepted", "on_the_way", "done"]
