"""Closing the loop: a detractor's answer opens a call-back case for the responsible team
(case type CSKH_CX_FOLLOWUP_CASE_TYPE, whose SLA policy says "within 1 working day"), and the
call's outcome is recorded here."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.core import audit
from cskh.core.errors import DomainError
from cskh.core.types import Actor
from cskh.cx.models import FollowUp, Survey, Touchpoint


def _description(survey: Survey) -> str:
    scale = "1–5" if survey.kind == Survey.Kind.CSAT else "0–10"
    text = _("Khách hàng chấm %(s)s/%(scale)s cho %(tp)s. Gọi lại trong 1 ngày làm việc.") % {
        "s": survey.score,
        "scale": scale,
        "tp": Touchpoint(survey.touchpoint).label,
    }
    if survey.case_id:
        from cskh.cases.models import Case

        number = Case.objects.filter(pk=survey.case_id).values_list("number", flat=True).first()
        text += " " + _("Yêu cầu gốc: %(n)s.") % {"n": number}
    if survey.comment:
        text += " " + _("Góp ý: “%(c)s”") % {"c": survey.comment}
    return text


@transaction.atomic
def open_for(survey: Survey, *, now: datetime | None = None) -> FollowUp:
    """The follow-up of a detractor's answer (one per survey)."""
    from cskh.cases import services as cases
    from cskh.catalog.services import get_case_type
    from cskh.customers.models import Customer
    from cskh.org.models import Unit

    existing = FollowUp.objects.filter(survey=survey).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    case_type = get_case_type(settings.CSKH_CX_FOLLOWUP_CASE_TYPE)
    customer = Customer.objects.get(pk=survey.customer_id)
    case = cases.open_case(
        customer=customer,
        case_type=case_type,
        description=_description(survey),
        subject=_("Gọi lại khách hàng chưa hài lòng"),
        channel="phone",
        at=now,
    )
    # the responsible team: the agent's team, else the unit that handled the touchpoint
    responsible = survey.team_id or survey.unit_id
    if responsible and responsible != case.unit_id:
        unit = Unit.objects.filter(pk=responsible, is_active=True).first()
        if unit is not None:
            case = cases.assign(case=case, unit=unit, reason=_("Khảo sát: nhóm phụ trách"))
    return FollowUp.objects.create(survey=survey, case=case, created_at=now)


@transaction.atomic
def record_outcome(
    *, followup: FollowUp, outcome: str, note: str = "", actor: Actor = None
) -> FollowUp:
    """The call-back's result; a reached customer resolves the follow-up case."""
    from cskh.cases import services as cases
    from cskh.cases.models import Case

    if outcome not in FollowUp.Outcome.values or outcome == FollowUp.Outcome.PENDING:
        raise DomainError(_("Kết quả gọi lại không hợp lệ."), code="bad_outcome")
    f = FollowUp.objects.select_for_update().get(pk=followup.pk)
    f.outcome = outcome
    f.note = note.strip()[:2000]
    f.recorded_at = timezone.now()
    f.recorded_by = actor if getattr(actor, "is_authenticated", False) else None  # type: ignore[assignment]
    f.save(update_fields=["outcome", "note", "recorded_at", "recorded_by"])
    case = Case.objects.get(pk=f.case_id)
    if case.is_open and outcome != FollowUp.Outcome.UNREACHABLE:
        cases.transition(
            case=case,
            to="resolved",
            actor=actor,
            note=f.note or str(FollowUp.Outcome(outcome).label),
        )
    audit.record(actor=actor, action="cx.followup.outcome", obj=f, changes={"outcome": outcome})
    return f
