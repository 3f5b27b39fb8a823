"""An incident's life: manual creation, status changes (through cskh.incidents.states), merge,
ETA/message edits and manual case links."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.cases.models import Case
from cskh.catalog.models import CaseType
from cskh.core import audit
from cskh.core.errors import Conflict, DomainError, Forbidden
from cskh.core.types import Actor
from cskh.customers.models import ServicePoint
from cskh.geo.models import Ward
from cskh.incidents import rules as rules_mod
from cskh.incidents import states
from cskh.incidents.models import (
    Feeder,
    Incident,
    IncidentCase,
    IncidentEvent,
    IncidentScope,
    IncidentSubscription,
    Level,
    Transformer,
)
from cskh.incidents.services import links
from cskh.incidents.services.cascade import schedule_cascade
from cskh.incidents.services.common import (
    confirmed_title,
    local_time,
    record,
    require_manage,
    user_or_none,
)
from cskh.incidents.services.notices import notify_affected
from cskh.org import permissions
from cskh.org.models import Unit, User
from cskh.org.selectors import unit_for_ward, visible_unit_ids

MAX_SCOPE = 5000


def _set_live(incident: Incident, live: bool) -> None:
    IncidentScope.objects.filter(incident=incident).update(live=live)


def merge(*, source: Incident, target: Incident, actor: Actor = None, note: str = "") -> None:
    """Move the cases, subscribers and scope of `source` into `target`; `source` is merged."""
    if target.pk == source.pk:
        raise DomainError(_("Không thể gộp sự cố vào chính nó."), code="self_merge")
    if target.status not in Incident.LIVE:
        raise Conflict(_("Chỉ gộp được vào sự cố đang hoạt động."), code="merge_target")
    states.require(source, Incident.Status.MERGED)
    moved = list(
        IncidentCase.objects.filter(incident=source)
        .exclude(case_id__in=IncidentCase.objects.filter(incident=target).values("case_id"))
        .values_list("case_id", flat=True)
    )
    IncidentCase.objects.filter(incident=source, case_id__in=moved).update(
        incident=target, how=IncidentCase.How.MERGE
    )
    IncidentCase.objects.filter(incident=source).delete()
    links.add_subscribers(
        target,
        IncidentSubscription.objects.filter(incident=source).values_list("customer_id", flat=True),
        source="merge",
    )
    for s in IncidentScope.objects.filter(incident=source):
        IncidentScope.objects.get_or_create(
            incident=target,
            level=s.level,
            code=s.code,
            defaults={"ward_id": s.ward_id, "live": target.status in Incident.LIVE},
        )
    Incident.objects.filter(pk=source.pk).update(
        status=Incident.Status.MERGED, merged_into=target, updated_at=timezone.now()
    )
    source.status = Incident.Status.MERGED
    source.merged_into = target
    _set_live(source, False)
    if (
        target.first_case_at
        and source.first_case_at
        and source.first_case_at < target.first_case_at
    ):
        Incident.objects.filter(pk=target.pk).update(
            first_case_at=source.first_case_at, started_at=min(source.started_at, target.started_at)
        )
    record(
        source,
        IncidentEvent.Kind.MERGE,
        actor=actor,
        body=note,
        data={"into": target.pk, "cases": len(moved)},
    )
    record(
        target,
        IncidentEvent.Kind.MERGE,
        actor=actor,
        body=note,
        data={"from": source.pk, "cases": len(moved)},
    )


def _scope_rows(scope: dict[str, list[Any]]) -> list[tuple[str, str, int | None]]:
    rows: list[tuple[str, str, int | None]] = []
    for code in scope.get("transformers") or []:
        code = str(code).strip()
        t = Transformer.objects.filter(code=code).first()
        if t is None and not ServicePoint.objects.filter(transformer_code=code).exists():
            raise DomainError(_("Không có trạm %(c)s.") % {"c": code}, code="bad_scope")
        rows.append((Level.TRANSFORMER, code, t.ward_id if t else None))
    for code in scope.get("feeders") or []:
        code = str(code).strip()
        f = Feeder.objects.filter(code=code).first()
        if f is None and not ServicePoint.objects.filter(feeder_code=code).exists():
            raise DomainError(_("Không có tuyến dây %(c)s.") % {"c": code}, code="bad_scope")
        rows.append((Level.FEEDER, code, f.ward_id if f else None))
    for code in scope.get("wards") or []:
        try:
            ward = Ward.objects.filter(pk=int(code)).first()
        except (TypeError, ValueError):
            ward = None
        if ward is None:
            raise DomainError(_("Phường/xã không tồn tại: %(c)s") % {"c": code}, code="bad_scope")
        rows.append((Level.WARD, str(ward.pk), ward.pk))
    for code in scope.get("service_points") or []:
        sp = ServicePoint.objects.filter(code=str(code).strip().upper()).first()
        if sp is None:
            raise DomainError(_("Không có điểm dịch vụ %(c)s.") % {"c": code}, code="bad_scope")
        rows.append((Level.SERVICE_POINT, str(sp.pk), sp.ward_id))
    if not rows:
        raise DomainError(_("Cần ít nhất một phạm vi ảnh hưởng."), code="missing_scope")
    if len(rows) > MAX_SCOPE:
        raise DomainError(_("Phạm vi quá lớn (tối đa 5000 phần tử)."), code="scope_too_large")
    return rows


@transaction.atomic
def create_incident(
    *,
    kind: str,
    title: str,
    scope: dict[str, list[Any]],
    actor: Actor = None,
    status: str = Incident.Status.CONFIRMED,
    started_at: datetime | None = None,
    eta: datetime | None = None,
    public_message: str = "",
    reason: str = "",
    unit: Unit | None = None,
) -> Incident:
    """Manual creation. scope: {"transformers": [...], "feeders": [...], "wards": [ward codes],
    "service_points": [service point codes]}."""
    if kind not in Incident.Kind.values:
        raise DomainError(_("Loại sự cố không hợp lệ: %(k)s") % {"k": kind}, code="bad_kind")
    if status not in states.INITIAL:
        raise DomainError(_("Trạng thái ban đầu không hợp lệ."), code="bad_status")
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_("Thiếu tiêu đề sự cố."), code="missing_title")
    now = timezone.now()
    started_at = started_at or now
    if eta and eta <= started_at:
        raise DomainError(_("Thời gian dự kiến phải sau thời điểm bắt đầu."), code="bad_eta")
    rows = _scope_rows(scope)
    if unit is None:
        ward_id = next((w for _l, _c, w in rows if w), None)
        unit = unit_for_ward(ward_id)
    if actor is not None and not permissions.can_manage_incident(actor):
        raise Forbidden(_("Bạn không có quyền tạo sự cố."))
    if actor is not None and getattr(actor, "role", "") == "unit_staff":
        units = (visible_unit_ids(actor) if isinstance(actor, User) else None) or set()
        if unit is None or unit.pk not in units:
            raise Forbidden(_("Sự cố phải thuộc đơn vị của bạn."))
    levels = {lvl for lvl, _c, _w in rows}
    inc = Incident.objects.create(
        kind=kind,
        status=status,
        title=title[:200],
        level=levels.pop() if len(levels) == 1 else rows[0][0],
        unit=unit,
        started_at=started_at,
        eta=eta,
        public_message=(public_message or "").strip()[:2000],
        reason=(reason or "").strip()[:300],
        confirmed_at=now if status == Incident.Status.CONFIRMED else None,
        created_by=user_or_none(actor),
    )
    IncidentScope.objects.bulk_create(
        [
            IncidentScope(incident=inc, level=lvl, code=code, ward_id=w, live=True)
            for lvl, code, w in dict.fromkeys(rows)
        ],
        ignore_conflicts=True,
    )
    record(inc, IncidentEvent.Kind.CREATED, actor=actor, data={"scope": len(rows)})
    if status == Incident.Status.CONFIRMED:
        _backfill(inc, actor=actor)
        if kind != Incident.Kind.PLANNED:
            _ensure_eta(inc, actor=actor, now=now)
            notify_affected(inc, template="incident_outage", suffix="confirmed")
    audit.record(actor=actor, action="incident.create", obj=inc, changes={"kind": kind})
    return inc


def _ensure_eta(incident: Incident, *, actor: Actor = None, now: datetime) -> None:
    """A confirmed outage always tells customers when it should end: without a lead's ETA, the
    restore target of the profile's outage case type (its SLA resolution time)."""
    if incident.eta is not None:
        return
    minutes = (
        CaseType.objects.filter(
            profile__is_active=True, groups_incidents=True, sla_policy__isnull=False
        )
        .order_by("sort_order")
        .values_list("sla_policy__resolution_minutes", flat=True)
        .first()
    )
    if not minutes:
        return
    incident.eta = max(now, incident.started_at) + timedelta(minutes=minutes)
    Incident.objects.filter(pk=incident.pk).update(eta=incident.eta)
    record(
        incident,
        IncidentEvent.Kind.ETA,
        actor=actor,
        body=_("Dự kiến khôi phục theo cam kết: %(eta)s") % {"eta": local_time(incident.eta)},
        data={"eta": incident.eta.isoformat(), "default": True},
        at=now,
    )


def _backfill(incident: Incident, *, actor: Actor = None) -> int:
    """Link open grouping cases already reported inside the scope since the incident began."""
    lookback = timedelta(minutes=max(r.window_minutes for r in rules_mod.rules().values()))
    since = min(incident.started_at, incident.first_case_at or incident.started_at) - lookback
    ids = (
        links.signals_in_scope(incident)
        .filter(created_at__gte=since)
        .values_list("case_id", flat=True)
    )
    n = links.link_ids(incident, ids, how=IncidentCase.How.CONFIRM, actor=actor)
    if n:
        record(
            incident,
            IncidentEvent.Kind.CASES,
            actor=actor,
            body=_("Đã gắn %(n)s yêu cầu đang mở trong phạm vi.") % {"n": n},
            data={"linked": n},
        )
    return n


@transaction.atomic
def transition(
    *,
    incident: Incident,
    to: str,
    actor: Actor = None,
    note: str = "",
    eta: datetime | None = None,
    merge_into: Incident | None = None,
    public_message: str | None = None,
) -> Incident:
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    require_manage(actor, incident)
    if to not in Incident.Status.values:
        raise DomainError(_("Trạng thái không hợp lệ: %(s)s") % {"s": to}, code="bad_status")
    states.require(incident, to)
    note = (note or "").strip()[:2000]
    now = timezone.now()
    before = incident.status
    if public_message is not None:
        incident.public_message = public_message.strip()[:2000]
    new_eta: datetime | None = None
    if eta is not None and eta != incident.eta:
        if eta <= incident.started_at:
            raise DomainError(_("Thời gian dự kiến phải sau thời điểm bắt đầu."), code="bad_eta")
        incident.eta = eta
        new_eta = eta
    if to == Incident.Status.MERGED:
        if merge_into is None:
            raise DomainError(_("Cần chọn sự cố để gộp vào."), code="missing_merge_target")
        require_manage(actor, merge_into)
        incident.save()
        merge(source=incident, target=merge_into, actor=actor, note=note)
        audit.record(
            actor=actor, action="incident.merge", obj=incident, changes={"into": merge_into.pk}
        )
        incident.refresh_from_db()
        return incident
    incident.status = to
    if to == Incident.Status.CONFIRMED and not incident.confirmed_at:
        incident.confirmed_at = now
    if to in (Incident.Status.CONFIRMED, Incident.Status.RESTORING, Incident.Status.RESOLVED):
        incident.title = confirmed_title(incident)
    if to in (Incident.Status.RESOLVED, Incident.Status.CANCELLED, Incident.Status.DISMISSED):
        incident.resolved_at = now
        _set_live(incident, False)
    if to in (Incident.Status.RESOLVED, Incident.Status.CANCELLED):
        incident.cascade_pending = True
        if to == Incident.Status.CANCELLED:
            incident.version += 1
    incident.save()
    record(
        incident,
        IncidentEvent.Kind.STATUS,
        actor=actor,
        body=note,
        data={"from": before, "to": to},
        at=now,
    )
    if to == Incident.Status.CONFIRMED and before == Incident.Status.SUSPECTED:
        _backfill(incident, actor=actor)
        if incident.kind != Incident.Kind.PLANNED:
            _ensure_eta(incident, actor=actor, now=now)
            notify_affected(incident, template="incident_outage", suffix="confirmed")
    elif new_eta is not None and to in Incident.ACTIVE and incident.kind != Incident.Kind.PLANNED:
        notify_affected(
            incident, template="incident_outage", suffix=f"eta:{int(new_eta.timestamp())}"
        )
    if to == Incident.Status.DISMISSED:
        n, _d = IncidentCase.objects.filter(incident=incident).delete()
        record(incident, IncidentEvent.Kind.CASES, actor=actor, data={"unlinked": n})
    if incident.cascade_pending:
        schedule_cascade(incident.pk)
    audit.record(
        actor=actor, action="incident.transition", obj=incident, changes={"status": [before, to]}
    )
    return incident


@transaction.atomic
def update_incident(
    *,
    incident: Incident,
    actor: Actor = None,
    eta: datetime | None = None,
    public_message: str | None = None,
    title: str | None = None,
    note: str = "",
) -> Incident:
    """Edit ETA/message. A new ETA notifies the callers of the linked cases."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    require_manage(actor, incident)
    if incident.status not in Incident.LIVE:
        raise Conflict(_("Sự cố đã kết thúc, không thể sửa."), code="closed")
    changes: dict[str, object] = {}
    if title is not None:
        title = " ".join(title.split())[:200]
        if not title:
            raise DomainError(_("Thiếu tiêu đề sự cố."), code="missing_title")
        changes["title"] = [incident.title, title]
        incident.title = title
    if public_message is not None:
        changes["public_message"] = True
        incident.public_message = public_message.strip()[:2000]
    new_eta: datetime | None = None
    if eta is not None and eta != incident.eta:
        if eta <= incident.started_at:
            raise DomainError(_("Thời gian dự kiến phải sau thời điểm bắt đầu."), code="bad_eta")
        changes["eta"] = [incident.eta, eta]
        incident.eta = eta
        new_eta = eta
    incident.save()
    if new_eta is not None:
        record(
            incident,
            IncidentEvent.Kind.ETA,
            actor=actor,
            body=note or _("Dự kiến khôi phục: %(eta)s") % {"eta": local_time(eta)},
            data={"eta": new_eta.isoformat()},
        )
        if incident.status != Incident.Status.SUSPECTED and incident.kind != Incident.Kind.PLANNED:
            notify_affected(
                incident, template="incident_outage", suffix=f"eta:{int(new_eta.timestamp())}"
            )
    elif changes:
        record(
            incident,
            IncidentEvent.Kind.NOTE,
            actor=actor,
            body=note,
            data={"fields": list(changes)},
        )
    audit.record(actor=actor, action="incident.update", obj=incident, changes=changes)
    return incident


@transaction.atomic
def link_case(*, incident: Incident, case: Case, actor: Actor = None) -> bool:
    require_manage(actor, incident)
    if incident.status not in Incident.LIVE:
        raise Conflict(_("Sự cố đã kết thúc."), code="closed")
    return links.link(incident, case, how=IncidentCase.How.MANUAL, actor=actor)
