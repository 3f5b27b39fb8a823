"""The portal in a real headless Chromium on a phone-sized screen: OTP sign-in, my requests,
reply with a photo, new request, outage status, help; tracking without signing in and
without JavaScript. Every page: under 100 KB of HTML+CSS+JS (response bodies summed), and no
serious or critical axe-core violations (axe vendored in tests/portal/vendor)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cskh.cases import services as cases
from cskh.catalog.services import get_case_type
from tests.portal.conftest import PNG, last_code

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BUDGET = 100 * 1024
WEIGHED = ("document", "stylesheet", "script")


class Meter:
    """Bytes of HTML, CSS and JS each page view transfers (bodies of its responses)."""

    def __init__(self, page):
        self.responses: list = []
        page.on("response", self.add)

    def add(self, response) -> None:
        self.responses.append(response)

    def take(self) -> int:
        total = 0
        for r in self.responses:
            if r.request.resource_type in WEIGHED and not 300 <= r.status < 400:
                try:
                    total += len(r.body())
                except Exception as exc:
                    raise AssertionError(f"{r.url} {r.status}") from exc
        self.responses.clear()
        return total


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def check(page, meter, sizes, name):
    page.wait_for_load_state("load")
    size = meter.take()
    sizes[name] = size
    assert size < BUDGET, f"{name}: {size} bytes"
    assert axe_violations(page) == [], name


@pytest.fixture
def scene(world, point, ben_thanh):
    from cskh.incidents import services as incidents
    from cskh.knowledge import services as kb

    case = cases.open_case(
        customer=world["customer"],
        case_type=get_case_type("billing"),
        description="Khách hỏi hóa đơn",
        actor=world["agent"],
        service_point=point,
    )
    cases.add_note(case=case, body="Ghi chú nội bộ bí mật", actor=world["agent"])
    cases.add_note(case=case, body="Vui lòng gửi ảnh công tơ.", public=True, actor=world["agent"])
    incident = incidents.create_incident(
        kind="unplanned_outage",
        title="Mất điện khu vực Bến Thành",
        scope={"wards": [ben_thanh.pk]},
        eta=timezone.now() + timedelta(hours=2),
    )
    kb.create_article(
        title="Cách đọc chỉ số công tơ",
        body="Chỉ số nằm trên mặt đồng hồ.",
        topic="procedure",
        public=True,
    ).article.versions.update(status="approved")
    return {"case": case, "incident": incident}


def test_customer_journey_on_a_phone(browser, live_server, scene):
    # axe-core is injected by the test (an inline script the site's CSP rightly refuses);
    # test_portal_pages_keep_the_content_security_policy checks the policy itself
    ctx = browser.new_context(
        viewport={"width": 375, "height": 700},
        locale="vi-VN",
        base_url=live_server.url,
        bypass_csp=True,
    )
    page = ctx.new_page()
    meter = Meter(page)
    sizes: dict[str, int] = {}
    number = scene["case"].number

    page.goto("/khach-hang/")
    expect(page.get_by_role("link", name="Đặt lịch hẹn tại quầy")).to_have_attribute(
        "href", "/dat-lich/"
    )
    check(page, meter, sizes, "home")

    page.get_by_role("link", name="Đăng nhập").first.click()
    check(page, meter, sizes, "signin")
    page.get_by_label("Số điện thoại").fill("0901 234 567")
    page.get_by_role("button", name="Gửi mã").click()
    expect(page.get_by_role("heading", name="Nhập mã đăng nhập")).to_be_visible()
    check(page, meter, sizes, "verify")
    page.get_by_label("Mã 6 chữ số").fill(last_code("+84901234567"))
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_role("heading", name="Yêu cầu của tôi")).to_be_visible()
    expect(page.get_by_role("link", name=number)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Dự kiến xử lý trước")
    check(page, meter, sizes, "requests")

    page.get_by_role("link", name=number).click()
    expect(page.locator("main")).to_contain_text("Vui lòng gửi ảnh công tơ.")
    expect(page.locator("main")).not_to_contain_text("bí mật")
    check(page, meter, sizes, "case")
    page.get_by_label("Nội dung").fill("Ảnh công tơ nhà tôi")
    page.get_by_label("Ảnh (JPEG").set_input_files(
        files=[{"name": "congto.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.locator("ol.timeline")).to_contain_text("Ảnh công tơ nhà tôi")
    expect(page.locator("ol.timeline img")).to_have_count(1)
    meter.take()

    page.get_by_role("link", name="Gửi yêu cầu").first.click()
    check(page, meter, sizes, "new")
    page.get_by_label("Loại yêu cầu").select_option("billing")
    page.get_by_label("Nội dung").fill("Hóa đơn tháng 11 cao gấp đôi")
    page.get_by_role("button", name="Gửi yêu cầu").click()
    expect(page.locator("#status")).to_have_text("Mới")
    expect(page.locator("main")).to_contain_text("Hóa đơn tháng 11 cao gấp đôi")
    meter.take()

    page.goto("/khach-hang/su-co/")
    expect(page.locator(".incident")).to_contain_text("Mất điện khu vực Bến Thành")
    expect(page.locator(".incident")).to_contain_text("Dự kiến khôi phục")
    check(page, meter, sizes, "outages")
    page.get_by_label("Zalo").check()
    page.get_by_role("button", name="Đăng ký nhận tin").click()
    expect(page.get_by_role("status")).to_contain_text("Đã đăng ký")
    meter.take()

    page.goto("/khach-hang/tro-giup/?q=chi so cong to")
    expect(page.locator("#articles")).to_contain_text("Cách đọc chỉ số công tơ")
    check(page, meter, sizes, "help")

    page.get_by_role("button", name="Đăng xuất").click()
    page.goto("/khach-hang/yeu-cau/")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    ctx.close()
    print("portal page weights (bytes):", sizes)


def test_tracking_without_signing_in_or_javascript(browser, live_server, scene):
    ctx = browser.new_context(
        viewport={"width": 375, "height": 700},
        locale="vi-VN",
        base_url=live_server.url,
        java_script_enabled=False,
    )
    page = ctx.new_page()
    meter = Meter(page)
    page.goto("/khach-hang/tra-cuu/")
    page.wait_for_load_state("load")
    assert meter.take() < BUDGET
    page.get_by_label("Số yêu cầu").fill(scene["case"].number)
    page.get_by_label("4 số cuối").fill("4567")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.locator("#result")).to_contain_text("Mới")
    expect(page.locator("main")).not_to_contain_text("hóa đơn")
    page.get_by_label("4 số cuối").fill("0000")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_role("alert")).to_contain_text("Không tìm thấy")
    ctx.close()
    # axe needs JavaScript: the same page in a normal context
    ctx = browser.new_context(locale="vi-VN", base_url=live_server.url, bypass_csp=True)
    page = ctx.new_page()
    page.goto("/khach-hang/tra-cuu/")
    assert axe_violations(page) == []
    ctx.close()


def test_portal_pages_keep_the_content_security_policy(browser, live_server, scene, csp_violations):
    """No inline script, style or handler on the public pages (the strict CSP would drop it)."""
    from tests.conftest import csp_guard

    ctx = browser.new_context(locale="vi-VN", base_url=live_server.url)
    csp_guard(ctx, csp_violations)
    page = ctx.new_page()
    for path in (
        "/khach-hang/",
        "/khach-hang/tra-cuu/",
        "/khach-hang/tro-giup/",
        "/khach-hang/dang-nhap/",
        "/dat-lich/",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("load")
        # the stylesheet applied: the portal's header is coloured, not the browser default
        if path.startswith("/khach-hang/"):
            assert page.evaluate("getComputedStyle(document.body).margin") == "0px", path
    ctx.close()
