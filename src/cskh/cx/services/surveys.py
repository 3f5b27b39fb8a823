"""Survey life cycle: scheduled after a touchpoint, sent through the outbox outside quiet
hours, reminded once, answered once, expired.

Fatigue and opt-out are checked twice: when the touchpoint schedules a survey (the row is kept
as "suppressed" with the reason, for the record) and again when it is sent, because another
survey may have gone out in between."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.core.errors import Conflict, DomainError, NotFound
from cskh.core.text import nfc
from cskh.cx import signing
from cskh.cx.models import Survey, SurveyOptOut, Touchpoint
from cskh.cx.services import rollups

log = logging.getLogger("cskh.cx")

S = Survey.Status
# the channel a case came in on → the touchpoint it is rated as
TOUCHPOINT_OF_CHANNEL = {
    "phone": Touchpoint.HOTLINE,
    "counter": Touchpoint.COUNTER,
    "web": Touchpoint.WRITTEN,
    "email": Touchpoint.WRITTEN,
    "chat": Touchpoint.WRITTEN,
    "zalo": Touchpoint.WRITTEN,
    "social": Touchpoint.WRITTEN,
}
COMMENT_MAX = 2000


# --------------------------------------------------------------------------- rules


def in_quiet_hours(moment: datetime) -> bool:
    start, end = settings.CSKH_CX_QUIET_HOURS
    hour = timezone.localtime(moment).hour
    if start == end:
        return False
    if start > end:  # over midnight, e.g. 21 → 8
        return hour >= start or hour < end
    return start <= hour < end


def next_allowed(moment: datetime) -> datetime:
    """`moment`, or the end of the quiet hours it falls in."""
    if not in_quiet_hours(moment):
        return moment
    _start, end = settings.CSKH_CX_QUIET_HOURS
    local = timezone.localtime(moment)
    day = local.date() if local.hour < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(end, 0)), local.tzinfo)


def opted_out(customer_id: int) -> bool:
    return SurveyOptOut.objects.filter(customer_id=customer_id).exists()


def fatigued(customer_id: int, now: datetime, *, exclude_id: int | None = None) -> bool:
    """True when the customer already has a survey (scheduled or sent) in the last N days."""
    since = now - timedelta(days=settings.CSKH_CX_FATIGUE_DAYS)
    qs = Survey.objects.filter(customer_id=customer_id, created_at__gte=since).exclude(
        status=S.SUPPRESSED
    )
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.exists()


# --------------------------------------------------------------------------- scheduling


def schedule(
    *,
    kind: str,
    touchpoint: str,
    source_key: str,
    customer_id: int,
    now: datetime | None = None,
    **attrs: Any,
) -> Survey:
    """The survey of one touchpoint occurrence (idempotent by `source_key`)."""
    now = now or timezone.now()
    existing = Survey.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    reason = ""
    if opted_out(customer_id):
        reason = "opt_out"
    elif fatigued(customer_id, now):
        reason = "fatigue"
    delay = timedelta(minutes=settings.CSKH_CX_SURVEY_DELAY_MINUTES)
    survey = Survey(
        kind=kind,
        touchpoint=touchpoint,
        source_key=source_key[:64],
        customer_id=customer_id,
        status=S.SUPPRESSED if reason else S.SCHEDULED,
        suppress_reason=reason,
        send_at=next_allowed(now + delay),
        created_at=now,
        **attrs,
    )
    Survey.objects.bulk_create([survey], ignore_conflicts=True)
    return Survey.objects.get(source_key=survey.source_key)


def _case_attrs(case: Any, agent_id: int | None) -> dict[str, Any]:
    from cskh.org.models import User

    team_id = None
    if agent_id:
        team_id = User.objects.filter(pk=agent_id).values_list("unit_id", flat=True).first()
    return {
        "case_id": case.pk,
        "agent_id": agent_id,
        "team_id": team_id,
        "unit_id": case.unit_id,
        "office_id": case.unit_id if case.channel == "counter" else None,
        "channel": case.channel,
        "case_type_id": case.case_type_id,
    }


def _surveyed_case_type(case: Any) -> bool:
    code = case.case_type.code
    return code not in (settings.CSKH_CX_FOLLOWUP_CASE_TYPE, "cancellation")


def on_case_transitioned(*, case: Any, before: str, actor: Any = None, **_kw: object) -> None:
    """Hook (case_transitioned): a resolved case is a finished touchpoint."""
    if case.status != "resolved" or not _surveyed_case_type(case):
        return
    agent_id = case.assigned_agent_id or (
        actor.pk if getattr(actor, "is_center_staff", 0) else None
    )
    schedule(
        kind=Survey.Kind.CSAT,
        touchpoint=TOUCHPOINT_OF_CHANNEL.get(case.channel, Touchpoint.HOTLINE),
        source_key=f"case:{case.pk}:{case.reopen_count}",
        customer_id=case.customer_id,
        **_case_attrs(case, agent_id),
    )


def on_work_order_completed(*, work_order: Any, actor: Any = None, **_kw: object) -> None:
    """Hook (work_order_completed, fired before the case is resolved): the field visit is the
    touchpoint rated, so the case's own resolution finds the survey already there."""
    case = work_order.case
    if not _surveyed_case_type(case):
        return
    attrs = _case_attrs(case, case.assigned_agent_id)
    attrs.update(unit_id=work_order.unit_id, channel="field")
    schedule(
        kind=Survey.Kind.CSAT,
        touchpoint=Touchpoint.FIELD,
        source_key=f"case:{case.pk}:{case.reopen_count}",
        customer_id=case.customer_id,
        **attrs,
    )


def on_conversation_closed(
    *,
    conversation_id: int,
    customer_id: int | None,
    channel: str = "",
    agent_id: int | None = None,
    **_kw: object,
) -> None:
    """Hook (conversation_closed, from the conversations app when it exists)."""
    if not customer_id:
        return
    from cskh.org.models import User

    team_id = None
    if agent_id:
        team_id = User.objects.filter(pk=agent_id).values_list("unit_id", flat=True).first()
    schedule(
        kind=Survey.Kind.CSAT,
        touchpoint=Touchpoint.WRITTEN,
        source_key=f"conv:{conversation_id}",
        customer_id=customer_id,
        agent_id=agent_id,
        team_id=team_id,
        channel=(channel or "chat")[:16],
    )


def on_counter_visit_completed(
    *,
    visit_id: int,
    customer_id: int | None,
    office_id: int | None = None,
    agent_id: int | None = None,
    case_type_id: int | None = None,
    **_kw: object,
) -> None:
    """Hook (counter_visit_completed, fired by the counters app when a customer's visit to a
    counter/office is served): the visit is rated as the counter touchpoint, grouped by the
    office (an org unit) and the agent who served it. Visits of unknown customers are not
    surveyed."""
    if not customer_id:
        return
    from cskh.org.models import User

    team_id = None
    if agent_id:
        team_id = User.objects.filter(pk=agent_id).values_list("unit_id", flat=True).first()
    schedule(
        kind=Survey.Kind.CSAT,
        touchpoint=Touchpoint.COUNTER,
        source_key=f"counter:{visit_id}",
        customer_id=customer_id,
        agent_id=agent_id,
        team_id=team_id,
        office_id=office_id,
        channel="counter",
        case_type_id=case_type_id,
    )


# --------------------------------------------------------------------------- sending


def link(survey: Survey) -> str:
    return f"{settings.CSKH_CX_PUBLIC_URL.rstrip('/')}/s/{signing.token_for(survey.pk)}"


def _template(survey: Survey, reminder: bool) -> str:
    if survey.kind == Survey.Kind.NPS:
        return "cx_nps_reminder" if reminder else "cx_nps"
    return "cx_survey_reminder" if reminder else "cx_survey"


def _send(survey: Survey, *, reminder: bool) -> bool:
    from cskh.customers.models import Customer
    from cskh.notify.services import notify_customer

    customer = Customer.objects.prefetch_related("phones").get(pk=survey.customer_id)
    row = notify_customer(
        customer=customer,
        template=_template(survey, reminder),
        context={
            "link": link(survey),
            "touchpoint": Touchpoint(survey.touchpoint).label,
            "customer_name": customer.full_name,
        },
        case=None,
        dedupe_key=f"cx:{survey.pk}:{'reminder' if reminder else 'invite'}",
    )
    if row is not None:
        survey.sent_channel = row.channel
    return row is not None


@transaction.atomic
def send_one(survey: Survey, now: datetime) -> str:
    """Send a due survey; returns its new status."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != S.SCHEDULED:
        return survey.status
    reason = ""
    if opted_out(survey.customer_id):
        reason = "opt_out"
    elif (
        Survey.objects.filter(
            customer_id=survey.customer_id,
            sent_at__gte=now - timedelta(days=settings.CSKH_CX_FATIGUE_DAYS),
        )
        .exclude(pk=survey.pk)
        .exists()
    ):
        reason = "fatigue"
    elif not _send(survey, reminder=False):
        reason = "no_consent"
    if reason:
        survey.status = S.SUPPRESSED
        survey.suppress_reason = reason
        survey.save(update_fields=["status", "suppress_reason"])
        return survey.status
    survey.status = S.SENT
    survey.sent_at = now
    survey.expires_at = now + timedelta(days=settings.CSKH_CX_LINK_DAYS)
    survey.save(update_fields=["status", "sent_at", "expires_at", "sent_channel"])
    rollups.add(survey, sent=1)
    return survey.status


def tick(now: datetime | None = None, *, limit: int = 500) -> dict[str, int]:
    """The periodic job: send due surveys, one reminder after CSKH_CX_REMINDER_HOURS, expire
    old links, feed running NPS campaigns. Nothing is sent during quiet hours."""
    from cskh.cx.services import campaigns

    now = now or timezone.now()
    done = {"sent": 0, "suppressed": 0, "reminded": 0, "expired": 0, "sampled": 0}
    done["expired"] = Survey.objects.filter(status=S.SENT, expires_at__lte=now).update(
        status=S.EXPIRED
    )
    if in_quiet_hours(now):
        return done
    done["sampled"] = campaigns.feed(now=now)
    due = Survey.objects.filter(status=S.SCHEDULED, send_at__lte=now).order_by("send_at")[:limit]
    for survey in due:
        status = send_one(survey, now)
        done["sent" if status == S.SENT else "suppressed"] += 1
    cutoff = now - timedelta(hours=settings.CSKH_CX_REMINDER_HOURS)
    remind = Survey.objects.filter(
        status=S.SENT, reminded_at__isnull=True, sent_at__lte=cutoff, expires_at__gt=now
    ).order_by("sent_at")[:limit]
    for survey in remind:
        with transaction.atomic():
            locked = Survey.objects.select_for_update().get(pk=survey.pk)
            if locked.status != S.SENT or locked.reminded_at is not None:
                continue
            if opted_out(locked.customer_id):
                continue
            _send(locked, reminder=True)
            locked.reminded_at = now
            locked.save(update_fields=["reminded_at"])
            done["reminded"] += 1
    return done


# --------------------------------------------------------------------------- answering


def for_token(token: str) -> Survey:
    survey_id = signing.survey_id_from(token)
    survey = Survey.objects.filter(pk=survey_id).first() if survey_id else None
    if survey is None:
        raise NotFound(_("Liên kết khảo sát không hợp lệ."), code="bad_link")
    return survey


def check_open(survey: Survey, now: datetime) -> None:
    if survey.status == S.ANSWERED:
        raise Conflict(_("Quý khách đã trả lời khảo sát này. Xin cảm ơn!"), code="answered")
    if survey.status == S.EXPIRED or (survey.expires_at and survey.expires_at <= now):
        raise DomainError(_("Liên kết khảo sát đã hết hạn."), status=410, code="expired")
    if survey.status != S.SENT:
        raise NotFound(_("Liên kết khảo sát không hợp lệ."), code="bad_link")


def score_range(kind: str) -> range:
    return range(1, 6) if kind == Survey.Kind.CSAT else range(0, 11)


@transaction.atomic
def answer(*, token: str, score: Any, comment: str = "", now: datetime | None = None) -> Survey:
    """Record the one answer a link allows. Detractors get a follow-up case."""
    now = now or timezone.now()
    survey = for_token(token)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    check_open(survey, now)
    try:
        value = int(str(score).strip())
    except (TypeError, ValueError):
        value = -1
    if value not in score_range(survey.kind):
        r = score_range(survey.kind)
        raise DomainError(
            _("Vui lòng chọn điểm từ %(a)s đến %(b)s.") % {"a": r.start, "b": r.stop - 1},
            code="bad_score",
        )
    comment = nfc(comment or "").strip()[:COMMENT_MAX]
    survey.score = value
    survey.comment = comment
    survey.status = S.ANSWERED
    survey.answered_at = now
    if comment:
        survey.sentiment, survey.topic = _analyse(comment)
    survey.save(update_fields=["score", "comment", "status", "answered_at", "sentiment", "topic"])
    rollups.add(survey, score=value)
    if rollups.is_low(survey.kind, value):
        from cskh.cx.services import followups

        followups.open_for(survey, now=now)
    elif rollups.is_high(survey.kind, value):
        from cskh.cx.services import referrals

        referrals.maybe_issue_after_answer(survey, now=now)
    return survey


def _analyse(comment: str) -> tuple[str, str]:
    """Sentiment and topic (best case-type code) of a comment, by the text module."""
    from cskh.textintel.services import analyze_text

    try:
        result = analyze_text(comment)
    except DomainError:
        return "", ""
    types = result.get("case_types") or []
    return str(result.get("sentiment", ""))[:10], (types[0]["code"] if types else "")[:32]


@transaction.atomic
def opt_out(*, customer_id: int, source: str, now: datetime | None = None) -> None:
    """No more surveys for this customer, on any channel; pending ones are withdrawn."""
    now = now or timezone.now()
    SurveyOptOut.objects.get_or_create(
        customer_id=customer_id, defaults={"created_at": now, "source": source[:32]}
    )
    Survey.objects.filter(customer_id=customer_id, status=S.SCHEDULED).update(
        status=S.SUPPRESSED, suppress_reason="opt_out"
    )


@transaction.atomic
def opt_out_by_token(*, token: str, now: datetime | None = None) -> Survey:
    survey = for_token(token)
    opt_out(customer_id=survey.customer_id, source="link", now=now)
    return survey
