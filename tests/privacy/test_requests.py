"""Data-subject requests: deadline, owner, audit trail, carrying each kind out; the pages of
the officer and of agents (from the customer card); no-store on personal-data pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cskh.core.errors import DomainError
from cskh.core.models import AuditLog
from cskh.customers.models import Customer
from cskh.privacy import services
from cskh.privacy.models import DataSubjectRequest

pytestmark = pytest.mark.django_db


def test_request_gets_its_deadline_and_an_audit_trail(pworld, settings):
    settings.CSKH_PRIVACY_REQUEST_HOURS = {"access": 72, "erasure": 48}
    now = timezone.now()
    req = services.file_request(
        customer=pworld["customer"], kind="access", actor=pworld["agent"], now=now
    )
    assert req.due_at == now + timedelta(hours=72)
    assert req.status == "open" and req.filed_by == pworld["agent"] and req.channel == "agent"
    erasure = services.file_request(customer=pworld["customer"], kind="erasure", now=now)
    assert erasure.due_at == now + timedelta(hours=48)
    services.take(request=req, actor=pworld["dpo"])
    services.complete(request=req, actor=pworld["dpo"], note="Đã gửi bản trích xuất")
    req.refresh_from_db()
    assert req.owner == pworld["dpo"] and req.status == "done" and req.closed_at is not None
    actions = list(
        AuditLog.objects.filter(object_type="privacy.datasubjectrequest", object_id=str(req.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["privacy.request_filed", "privacy.request_taken", "privacy.request_done"]


def test_only_the_officer_carries_a_request_out(pworld):
    req = services.file_request(customer=pworld["customer"], kind="erasure")
    with pytest.raises(DomainError) as exc:
        services.complete(request=req, actor=pworld["agent"])
    assert exc.value.status == 403
    assert Customer.objects.get(pk=pworld["customer"].pk).anonymised_at is None


def test_withdrawal_correction_restriction_and_rejection(pworld):
    dpo, c = pworld["dpo"], pworld["customer"]
    w = services.file_request(customer=c, kind="withdrawal", payload={"purpose": "survey"})
    services.complete(request=w, actor=dpo)
    c.refresh_from_db()
    assert c.consents["survey"] is False
    assert c.consent_log.get().channel == "request"

    fix = services.file_request(customer=c, kind="correction", payload={"email": "an@vd.vn"})
    services.complete(request=fix, actor=dpo)
    c.refresh_from_db()
    assert c.email == "an@vd.vn"

    r = services.file_request(customer=c, kind="restriction")
    services.complete(request=r, actor=dpo)
    c.refresh_from_db()
    assert c.restricted

    no = services.file_request(customer=c, kind="access")
    with pytest.raises(DomainError):
        services.reject(request=no, reason="", actor=dpo)
    services.reject(request=no, reason="Không xác minh được danh tính", actor=dpo)
    no.refresh_from_db()
    assert no.status == "rejected"
    with pytest.raises(DomainError) as exc:
        services.complete(request=no, actor=dpo)
    assert exc.value.status == 409


def test_bad_requests_are_refused(pworld):
    c = pworld["customer"]
    with pytest.raises(DomainError):
        services.file_request(customer=c, kind="nonsense")
    with pytest.raises(DomainError):
        services.file_request(customer=c, kind="withdrawal", payload={"purpose": "x"})
    with pytest.raises(DomainError):
        services.file_request(customer=c, kind="correction", payload={"segment": "vip"})


def test_agent_files_a_request_from_the_card_and_the_officer_erases(pworld, client):
    c = pworld["customer"]
    client.force_login(pworld["agent"])
    card = client.get(f"/desk/customers/{c.pk}/card")
    assert f"/privacy/customers/{c.pk}/request" in card.content.decode()
    page = client.get(f"/privacy/customers/{c.pk}/request")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    r = client.post(
        f"/privacy/customers/{c.pk}/request",
        {"form": "request", "kind": "erasure", "details": "Khách yêu cầu xoá dữ liệu"},
    )
    assert r.status_code == 200 and 'id="done"' in r.content.decode()
    req = DataSubjectRequest.objects.get(customer=c)
    assert req.kind == "erasure" and req.filed_by == pworld["agent"]
    # agents do not see the officer's pages
    assert client.get("/privacy/").status_code == 403
    assert client.get(f"/privacy/requests/{req.pk}/").status_code == 403
    assert client.get(f"/privacy/customers/{c.pk}/export.json").status_code == 403

    client.force_login(pworld["dpo"])
    queue = client.get("/privacy/")
    assert queue.status_code == 200 and f'data-request="{req.pk}"' in queue.content.decode()
    assert "no-store" in queue["Cache-Control"]
    client.post(f"/privacy/requests/{req.pk}/", {"action": "take"})
    r = client.post(f"/privacy/requests/{req.pk}/", {"action": "complete", "note": "ok"})
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == "done" and req.owner == pworld["dpo"]
    assert Customer.objects.get(pk=c.pk).anonymised_at is not None
    # a finished request cannot be worked again: 400 with the message
    again = client.post(f"/privacy/requests/{req.pk}/", {"action": "complete"})
    assert again.status_code == 400


def test_agent_records_a_consent_answer(pworld, client):
    c = pworld["customer"]
    client.force_login(pworld["agent"])
    r = client.post(
        f"/privacy/customers/{c.pk}/request",
        {"form": "consent", "purpose": "marketing", "granted": "1"},
    )
    assert r.status_code == 200
    c.refresh_from_db()
    assert c.consents == {"marketing": True} and c.consent_marketing
    row = c.consent_log.get()
    assert row.channel == "agent" and row.recorded_by == pworld["agent"]
    bad = client.post(
        f"/privacy/customers/{c.pk}/request", {"form": "consent", "purpose": "x", "granted": "1"}
    )
    assert bad.status_code == 400


def test_unit_staff_cannot_file(pworld, unit_staff, client):
    client.force_login(unit_staff)
    assert client.get(f"/privacy/customers/{pworld['customer'].pk}/request").status_code == 403
