"""The shift lead's board in a real browser: one click confirms a suspected incident."""

import pytest

from cskh.incidents.models import Incident, IncidentCase

pytestmark = pytest.mark.django_db(transaction=True)


def test_confirm_from_the_suspected_list(page_for, network, report, lead):
    for c in network["T1"][:3]:
        report(c)
    for c in network["T9"][:3]:
        report(c)
    t1 = Incident.objects.get(detect_key="transformer:T1")
    t9 = Incident.objects.get(detect_key="transformer:T9")
    page = page_for(lead)
    page.goto("/incidents/")
    row = page.locator(f"#suspected tr#incident-{t1.pk}")
    assert row.is_visible()
    assert page.locator("#suspected tbody tr").count() == 2
    row.locator("button[data-action=confirm]").click()
    page.wait_for_load_state("networkidle")
    t1.refresh_from_db()
    assert t1.status == "confirmed" and t1.events.filter(kind="status", actor=lead).exists()
    assert page.locator(f"#suspected tr#incident-{t1.pk}").count() == 0
    assert page.locator(f"#suspected tr#incident-{t9.pk}").count() == 1
    assert "Đã cập nhật sự cố" in page.content()
    # merge T9 into T1 from the same list
    row = page.locator(f"#suspected tr#incident-{t9.pk}")
    row.locator("select[name=merge_into]").select_option(str(t1.pk))
    row.locator("button[data-action=merge]").click()
    page.wait_for_load_state("networkidle")
    t9.refresh_from_db()
    assert (t9.status, t9.merged_into_id) == ("merged", t1.pk)
    assert IncidentCase.objects.filter(incident=t1).count() == 6
    page.goto(f"/incidents/{t1.pk}/")
    assert t1.code in page.content() and "T9" in page.content()
