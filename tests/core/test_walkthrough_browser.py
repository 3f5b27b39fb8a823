"""A walk-through as each role would do it (#21): every page the navigation offers opens
without an error and fits the screen, on a laptop (1366×768) and on a phone (390 px): no
sideways scrolling of the page (wide tables scroll inside their own box)."""

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"laptop": (1366, 768), "phone": (390, 844)}


@pytest.fixture
def staff(world, lead, unit_staff):
    from cskh.cases.services import open_case
    from cskh.catalog.models import CaseType
    from cskh.org.services import create_user

    manager = create_user(
        username="quanly", password="Matkhau!2026", role="manager", unit=world["center"]
    )
    for i, code in enumerate(("outage", "billing", "meter")):
        open_case(
            customer=world["customer"],
            case_type=CaseType.objects.get(code=code),
            description=f"Khách hàng phản ánh lần {i + 1}: mất điện, hóa đơn cao bất thường",
            actor=world["agent"],
        )
    return {"agent": world["agent"], "lead": lead, "manager": manager, "unit": unit_staff}


def nav_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("nav a[href]", "els => els.map(e => e.href)")
    own = []
    for href in hrefs:
        parts = urlsplit(href)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(("/accounts/logout", "/admin", "/api/")) or path in own:
            continue
        own.append(path)
    return own


@pytest.mark.parametrize("role", ["agent", "lead", "manager", "unit"])
def test_every_navigation_page_opens_and_fits_laptop_and_phone(session_page, staff, role):
    user = staff[role]
    page = session_page(user, path="/")
    page.wait_for_selector("nav")
    links = nav_links(page)
    assert links, "the navigation offers no page"
    problems = []
    for name, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        for path in links:
            response = page.goto(path, wait_until="domcontentloaded")
            assert response is not None
            if response.status >= 400:
                problems.append(f"{path}: HTTP {response.status}")
                continue
            page.wait_for_load_state("load")
            wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if wide > 0:
                problems.append(f"{path} at {name}: {wide}px wider than the screen")
    assert not problems, "\n".join(problems)
