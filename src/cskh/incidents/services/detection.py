"""Outage detection on the case_opened hook (hot path): link a grouping case to a live
incident in its area, or count it and open a suspected incident when the rules' threshold is
reached (transformer, then feeder, then ward), escalating transformers to their feeder."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cskh.cases.models import Case
from cskh.catalog import services as catalog
from cskh.core.types import Actor
from cskh.customers.models import ServicePoint
from cskh.incidents import rules as rules_mod
from cskh.incidents import selectors
from cskh.incidents.models import (
    Incident,
    IncidentCase,
    IncidentEvent,
    IncidentScope,
    IncidentSignal,
    Level,
)
from cskh.incidents.rules import Rule
from cskh.incidents.selectors import Position
from cskh.incidents.services import links
from cskh.incidents.services.common import auto_title, record
from cskh.incidents.services.lifecycle import merge

TELECOM_TYPES = {"internet_down", "slow_speed", "tv_service"}


def on_case_opened(*, case: Case, actor: Actor = None, **_kwargs: object) -> None:
    """Hook: link a grouping case to a live incident, or cluster it into a suspected one.

    Cost for a case outside any incident: 1 scope query + 1 insert + 1 indexed count.
    """
    case_type = case.case_type
    if not case_type.groups_incidents:
        return
    sp = case.service_point
    if sp is None:
        sp = (
            ServicePoint.objects.filter(customer_id=case.customer_id)
            .exclude(status=ServicePoint.Status.TERMINATED)
            .order_by("id")
            .first()
        )
    pos = Position.of(sp, fallback_ward_id=case.customer.ward_id)
    at = case.created_at
    incident = selectors.best_incident(selectors.live_scopes([pos], at=at))
    IncidentSignal.objects.create(
        case=case,
        customer_id=case.customer_id,
        transformer_code=pos.transformer_code,
        feeder_code=pos.feeder_code,
        ward_id=pos.ward_id,
        unit_id=case.unit_id,
        created_at=at,
    )
    if incident is not None:
        how = (
            IncidentCase.How.CLUSTER
            if incident.status == Incident.Status.SUSPECTED
            else IncidentCase.How.AT_CREATION
        )
        links.link(incident, case, how=how, at=at, actor=actor)
        fd = rules_mod.rules()[Level.FEEDER]
        if (
            incident.level == Level.TRANSFORMER
            and incident.feeder_code
            and fd.enabled
            and fd.min_children
        ):
            # Concurrent detections may each have seen one transformer: re-check escalation.
            _maybe_escalate(feeder_code=incident.feeder_code, case=case, pos=pos, at=at)
        return
    _detect(case=case, pos=pos, at=at, actor=actor)


def _window_start(rule: Rule, at: datetime) -> datetime:
    return at - timedelta(minutes=rule.window_minutes)


def _detect(*, case: Case, pos: Position, at: datetime, actor: Actor = None) -> Incident | None:
    rules = rules_mod.rules()
    tr, fd, wd = rules[Level.TRANSFORMER], rules[Level.FEEDER], rules[Level.WARD]
    if pos.transformer_code and tr.enabled:
        since = _window_start(tr, at)
        sigs = IncidentSignal.objects.filter(
            transformer_code=pos.transformer_code, created_at__gte=since, created_at__lte=at
        )
        if sigs.count() >= tr.min_cases:
            inc = _ensure_suspected(
                level=Level.TRANSFORMER,
                code=pos.transformer_code,
                feeder_code=pos.feeder_code,
                case=case,
                pos=pos,
                signals=sigs,
                at=at,
                actor=actor,
            )
            if pos.feeder_code and fd.enabled and fd.min_children:
                _maybe_escalate(feeder_code=pos.feeder_code, case=case, pos=pos, at=at)
            return inc
    if pos.feeder_code and fd.enabled:
        since = _window_start(fd, at)
        sigs = IncidentSignal.objects.filter(
            feeder_code=pos.feeder_code, created_at__gte=since, created_at__lte=at
        )
        if sigs.count() >= fd.min_cases:
            spread = sigs.values("transformer_code").distinct().count()
            if spread >= max(1, fd.min_children):
                return _ensure_suspected(
                    level=Level.FEEDER,
                    code=pos.feeder_code,
                    feeder_code="",
                    case=case,
                    pos=pos,
                    signals=sigs,
                    at=at,
                    actor=actor,
                )
        return None
    if not pos.transformer_code and not pos.feeder_code and pos.ward_id and wd.enabled:
        since = _window_start(wd, at)
        sigs = IncidentSignal.objects.filter(
            ward_id=pos.ward_id,
            transformer_code="",
            feeder_code="",
            created_at__gte=since,
            created_at__lte=at,
        )
        if sigs.count() >= wd.min_cases:
            return _ensure_suspected(
                level=Level.WARD,
                code=str(pos.ward_id),
                feeder_code="",
                case=case,
                pos=pos,
                signals=sigs,
                at=at,
                actor=actor,
            )
    return None


def _kind_for(case: Case) -> str:
    if case.case_type.code in TELECOM_TYPES:
        return Incident.Kind.NETWORK
    return Incident.Kind.UNPLANNED


def _ensure_suspected(
    *,
    level: str,
    code: str,
    feeder_code: str,
    case: Case,
    pos: Position,
    signals: QuerySet[IncidentSignal],
    at: datetime,
    actor: Actor = None,
) -> Incident:
    key = f"{level}:{code}"
    first = signals.order_by("created_at").values_list("created_at", flat=True).first() or at
    try:
        with transaction.atomic():
            inc = Incident.objects.create(
                kind=_kind_for(case),
                status=Incident.Status.SUSPECTED,
                title=auto_title(level, code, pos.ward_id, confirmed=False),
                level=level,
                unit_id=case.unit_id,
                started_at=first,
                first_case_at=first,
                threshold_at=at,
                detect_key=key,
                feeder_code=feeder_code or "",
                public_message=catalog.terms()["public_message"],
            )
            IncidentScope.objects.create(
                incident=inc,
                level=level,
                code=code,
                ward_id=pos.ward_id,
                live=True,
            )
    except IntegrityError:
        live = Incident.objects.filter(detect_key=key, status__in=Incident.LIVE).first()
        if live is None:
            raise
        links.link(live, case, how=IncidentCase.How.CLUSTER, at=at)
        return live
    n = signals.count()
    record(
        inc,
        IncidentEvent.Kind.CREATED,
        body=_("Phát hiện tự động: %(n)s báo cáo trong cửa sổ thời gian.") % {"n": n},
        data={"level": level, "code": code, "cases": n},
        at=at,
    )
    links.link_ids(inc, signals.values_list("case_id", flat=True), how=IncidentCase.How.CLUSTER)
    return inc


def _maybe_escalate(
    *, feeder_code: str, case: Case, pos: Position, at: datetime
) -> Incident | None:
    """≥ min_children suspected/confirmed transformers of one feeder → suspected feeder incident."""
    fd = rules_mod.rules()[Level.FEEDER]
    children = list(
        Incident.objects.filter(
            level=Level.TRANSFORMER, feeder_code=feeder_code, status__in=Incident.LIVE
        )
    )
    if len(children) < fd.min_children:
        return None
    key = f"{Level.FEEDER}:{feeder_code}"
    parent = Incident.objects.filter(detect_key=key, status__in=Incident.LIVE).first()
    if parent is None:
        sigs = IncidentSignal.objects.filter(
            feeder_code=feeder_code, created_at__gte=_window_start(fd, at), created_at__lte=at
        )
        parent = _ensure_suspected(
            level=Level.FEEDER,
            code=feeder_code,
            feeder_code="",
            case=case,
            pos=pos,
            signals=sigs,
            at=at,
        )
    for child in children:
        if child.status == Incident.Status.SUSPECTED and child.pk != parent.pk:
            merge(source=child, target=parent, actor=None, note=_("Nâng cấp lên tuyến dây."))
    return parent
