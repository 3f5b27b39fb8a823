"""State changes for incidents: detection and grouping, lifecycle, cascades, planned outages."""

import importlib
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cskh.core import audit
from cskh.core.errors import Conflict, DomainError, Forbidden
from cskh.incidents import rules as rules_mod
from cskh.incidents import selectors
from cskh.incidents.models import (
    Feeder,
    Incident,
    IncidentCase,
    IncidentEvent,
    IncidentScope,
    IncidentSignal,
    IncidentSubscription,
    Level,
    NotifyBatch,
    Transformer,
)
from cskh.incidents.selectors import Position

log = logging.getLogger("cskh.incidents")

TELECOM_TYPES = {"internet_down", "slow_speed", "tv_service"}
NOTIFY_CHUNK = 2000
RESOLVE_BATCH = 200

TRANSITIONS: dict[str, frozenset[str]] = {
    "suspected": frozenset({"confirmed", "dismissed", "merged", "resolved"}),
    "confirmed": frozenset({"restoring", "resolved", "merged", "cancelled"}),
    "restoring": frozenset({"confirmed", "resolved"}),
    "resolved": frozenset(),
    "dismissed": frozenset(),
    "merged": frozenset(),
    "cancelled": frozenset(),
}


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _local(dt: datetime | None) -> str:
    if dt is None:
        return ""
    return date_format(timezone.localtime(dt), "H:i d/m/Y")


def _event(incident: Incident, kind: str, *, actor=None, body: str = "", data=None, at=None):
    return IncidentEvent.objects.create(
        incident=incident,
        kind=kind,
        actor=_user(actor),
        body=str(body),
        data=data or {},
        created_at=at or timezone.now(),
    )


def _require_manage(actor, incident: Incident | None = None) -> None:
    if actor is not None and not selectors.can_manage(actor, incident):
        raise Forbidden(_("Bạn không có quyền quản lý sự cố này."))


# --- network --------------------------------------------------------------------------------


@transaction.atomic
def ensure_network_entries(
    *, feeders: Iterable[dict] = (), transformers: Iterable[dict] = ()
) -> dict:
    """Idempotent upsert of the network for scope resolution and the public schedule.

    feeders: [{"code", "name"?, "ward_id"?, "unit_id"?}]
    transformers: [{"code", "feeder_code"?, "name"?, "ward_id"?}]
    Existing codes are left as they are. Returns counts of rows given. Without arguments, the
    network is read from the service points (feeder → transformer, with their ward).
    """
    if not feeders and not transformers:
        feeders, transformers = _network_from_service_points()
    f_rows = [
        Feeder(
            code=str(f["code"])[:32],
            name=f.get("name", "")[:200],
            ward_id=f.get("ward_id"),
            unit_id=f.get("unit_id"),
        )
        for f in feeders
    ]
    t_rows = [
        Transformer(
            code=str(t["code"])[:32],
            name=t.get("name", "")[:200],
            feeder_code=str(t.get("feeder_code", ""))[:32],
            ward_id=t.get("ward_id"),
        )
        for t in transformers
    ]
    Feeder.objects.bulk_create(f_rows, ignore_conflicts=True, batch_size=1000)
    Transformer.objects.bulk_create(t_rows, ignore_conflicts=True, batch_size=1000)
    return {"feeders": len(f_rows), "transformers": len(t_rows)}


def _network_from_service_points() -> tuple[list[dict], list[dict]]:
    from django.db.models import Min

    from cskh.customers.models import ServicePoint
    from cskh.org.selectors import unit_for_ward

    rows = (
        ServicePoint.objects.exclude(transformer_code="")
        .values("transformer_code", "feeder_code")
        .annotate(ward_id=Min("ward_id"))
    )
    transformers, feeder_ward = [], {}
    for r in rows:
        transformers.append(
            {
                "code": r["transformer_code"],
                "feeder_code": r["feeder_code"],
                "ward_id": r["ward_id"],
            }
        )
        if r["feeder_code"]:
            feeder_ward.setdefault(r["feeder_code"], r["ward_id"])
    units: dict = {}
    feeders = []
    for code, ward_id in feeder_ward.items():
        if ward_id not in units:
            unit = unit_for_ward(ward_id) if ward_id else None
            units[ward_id] = unit.pk if unit else None
        feeders.append({"code": code, "ward_id": ward_id, "unit_id": units[ward_id]})
    return feeders, transformers


# --- linking --------------------------------------------------------------------------------


def _link_case(incident: Incident, case, *, how: str, at=None, actor=None) -> bool:
    """Link one case; adds a case timeline event. Returns False if it was already linked."""
    from cskh.cases.services import add_event

    at = at or timezone.now()
    try:
        with transaction.atomic():
            IncidentCase.objects.create(
                incident=incident, case=case, customer_id=case.customer_id, how=how, linked_at=at
            )
    except IntegrityError:
        return False
    IncidentSubscription.objects.bulk_create(
        [
            IncidentSubscription(
                incident=incident, customer_id=case.customer_id, source="case", created_at=at
            )
        ],
        ignore_conflicts=True,
    )
    if incident.status == Incident.Status.SUSPECTED:
        body = _("Nghi thuộc sự cố %(code)s: %(title)s.") % {
            "code": incident.code,
            "title": incident.title,
        }
    else:
        body = _("Thuộc sự cố %(code)s: %(title)s.") % {
            "code": incident.code,
            "title": incident.title,
        }
        if incident.eta:
            body += " " + _("Dự kiến khôi phục: %(eta)s.") % {"eta": _local(incident.eta)}
    add_event(
        case=case,
        kind="incident",
        actor=actor,
        body=body,
        at=at,
        data={
            "incident": incident.pk,
            "code": incident.code,
            "status": incident.status,
            "how": how,
            "eta": incident.eta.isoformat() if incident.eta else None,
        },
    )
    return True


def _link_case_ids(incident: Incident, case_ids: Iterable[int], *, how: str, actor=None) -> int:
    from cskh.cases.models import Case

    ids = set(case_ids) - set(
        IncidentCase.objects.filter(incident=incident).values_list("case_id", flat=True)
    )
    n = 0
    for case in Case.objects.filter(pk__in=ids, is_open=True).order_by("id"):
        n += _link_case(incident, case, how=how, actor=actor)
    return n


def _signals_in_scope(incident: Incident):
    by_level: dict[str, list[str]] = {}
    for level, code in incident.scopes.values_list("level", "code"):
        by_level.setdefault(level, []).append(code)
    q = Q()
    if by_level.get(Level.TRANSFORMER):
        q |= Q(transformer_code__in=by_level[Level.TRANSFORMER])
    if by_level.get(Level.FEEDER):
        q |= Q(feeder_code__in=by_level[Level.FEEDER])
    if by_level.get(Level.WARD):
        q |= Q(ward_id__in=[int(c) for c in by_level[Level.WARD]])
    if not q:
        return IncidentSignal.objects.none()
    return IncidentSignal.objects.filter(q)


# --- the case_opened hook (hot path) --------------------------------------------------------


def on_case_opened(*, case, actor=None, **_kwargs) -> None:
    """Hook: link a grouping case to a live incident, or cluster it into a suspected one.

    Cost for a case outside any incident: 1 scope query + 1 insert + 1 indexed count.
    """
    case_type = case.case_type
    if not case_type.groups_incidents:
        return
    sp = case.service_point
    if sp is None:
        from cskh.customers.models import ServicePoint

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
        _link_case(incident, case, how=how, at=at, actor=actor)
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


def _window_start(rule, at: datetime) -> datetime:
    return at - timedelta(minutes=rule.window_minutes)


def _detect(*, case, pos: Position, at: datetime, actor=None) -> Incident | None:
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


def _kind_for(case) -> str:
    if case.case_type.code in TELECOM_TYPES:
        return Incident.Kind.NETWORK
    return Incident.Kind.UNPLANNED


def _auto_title(level: str, code: str, ward_id: int | None) -> str:
    from cskh.geo.models import Ward

    labels = {
        Level.TRANSFORMER: _("trạm %(c)s"),
        Level.FEEDER: _("tuyến dây %(c)s"),
        Level.WARD: _("phường/xã %(c)s"),
    }
    where = labels.get(level, "%(c)s") % {"c": code}
    ward = Ward.objects.filter(pk=ward_id).only("name").first() if ward_id else None
    if level == Level.WARD and ward:
        where = ward.name
    elif ward:
        where = f"{where} ({ward.name})"
    return (_("Nghi mất điện diện rộng: %(w)s") % {"w": where})[:200]


def _ensure_suspected(
    *, level, code, feeder_code, case, pos: Position, signals, at, actor=None
) -> Incident:
    key = f"{level}:{code}"
    first = signals.order_by("created_at").values_list("created_at", flat=True).first() or at
    try:
        with transaction.atomic():
            inc = Incident.objects.create(
                kind=_kind_for(case),
                status=Incident.Status.SUSPECTED,
                title=_auto_title(level, code, pos.ward_id),
                level=level,
                unit_id=case.unit_id,
                started_at=first,
                first_case_at=first,
                threshold_at=at,
                detect_key=key,
                feeder_code=feeder_code or "",
                public_message=_(
                    "Khu vực của quý khách đang bị gián đoạn cung cấp điện. "
                    "Chúng tôi đang kiểm tra và khắc phục."
                ),
            )
            IncidentScope.objects.create(
                incident=inc,
                level=level,
                code=code,
                ward_id=pos.ward_id,
                live=True,
            )
    except IntegrityError:
        inc = Incident.objects.filter(detect_key=key, status__in=Incident.LIVE).first()
        if inc is None:
            raise
        _link_case(inc, case, how=IncidentCase.How.CLUSTER, at=at)
        return inc
    n = signals.count()
    _event(
        inc,
        IncidentEvent.Kind.CREATED,
        body=_("Phát hiện tự động: %(n)s báo cáo trong cửa sổ thời gian.") % {"n": n},
        data={"level": level, "code": code, "cases": n},
        at=at,
    )
    _link_case_ids(inc, signals.values_list("case_id", flat=True), how=IncidentCase.How.CLUSTER)
    return inc


def _maybe_escalate(*, feeder_code: str, case, pos: Position, at) -> Incident | None:
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
            _merge(source=child, target=parent, actor=None, note=_("Nâng cấp lên tuyến dây."))
    return parent


# --- lifecycle ------------------------------------------------------------------------------


def _set_live(incident: Incident, live: bool) -> None:
    IncidentScope.objects.filter(incident=incident).update(live=live)


def _merge(*, source: Incident, target: Incident, actor=None, note: str = "") -> None:
    if target.pk == source.pk:
        raise DomainError(_("Không thể gộp sự cố vào chính nó."), code="self_merge")
    if target.status not in Incident.LIVE:
        raise Conflict(_("Chỉ gộp được vào sự cố đang hoạt động."), code="merge_target")
    moved = list(
        IncidentCase.objects.filter(incident=source)
        .exclude(case_id__in=IncidentCase.objects.filter(incident=target).values("case_id"))
        .values_list("case_id", flat=True)
    )
    IncidentCase.objects.filter(incident=source, case_id__in=moved).update(
        incident=target, how=IncidentCase.How.MERGE
    )
    IncidentCase.objects.filter(incident=source).delete()
    _subscribe(
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
    # Scope of a feeder covers its transformers: drop redundant transformer rows.
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
    _event(
        source,
        IncidentEvent.Kind.MERGE,
        actor=actor,
        body=note,
        data={"into": target.pk, "cases": len(moved)},
    )
    _event(
        target,
        IncidentEvent.Kind.MERGE,
        actor=actor,
        body=note,
        data={"from": source.pk, "cases": len(moved)},
    )


@transaction.atomic
def create_incident(
    *,
    kind: str,
    title: str,
    scope: dict[str, list],
    actor=None,
    status: str = Incident.Status.CONFIRMED,
    started_at: datetime | None = None,
    eta: datetime | None = None,
    public_message: str = "",
    reason: str = "",
    unit=None,
) -> Incident:
    """Manual creation. scope: {"transformers": [...], "feeders": [...], "wards": [ward codes],
    "service_points": [service point codes]}."""
    from cskh.customers.models import ServicePoint
    from cskh.geo.models import Ward
    from cskh.org.selectors import unit_for_ward

    if kind not in Incident.Kind.values:
        raise DomainError(_("Loại sự cố không hợp lệ: %(k)s") % {"k": kind}, code="bad_kind")
    if status not in (Incident.Status.SUSPECTED, Incident.Status.CONFIRMED):
        raise DomainError(_("Trạng thái ban đầu không hợp lệ."), code="bad_status")
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_("Thiếu tiêu đề sự cố."), code="missing_title")
    now = timezone.now()
    started_at = started_at or now
    if eta and eta <= started_at:
        raise DomainError(_("Thời gian dự kiến phải sau thời điểm bắt đầu."), code="bad_eta")
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
    if len(rows) > 5000:
        raise DomainError(_("Phạm vi quá lớn (tối đa 5000 phần tử)."), code="scope_too_large")
    if unit is None:
        ward_id = next((w for _l, _c, w in rows if w), None)
        unit = unit_for_ward(ward_id)
    if actor is not None and not selectors.can_manage(actor):
        raise Forbidden(_("Bạn không có quyền tạo sự cố."))
    if actor is not None and getattr(actor, "role", "") == "unit_staff":
        units = selectors.visible_unit_ids(actor) or set()
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
        created_by=_user(actor),
    )
    IncidentScope.objects.bulk_create(
        [
            IncidentScope(incident=inc, level=lvl, code=code, ward_id=w, live=True)
            for lvl, code, w in dict.fromkeys(rows)
        ],
        ignore_conflicts=True,
    )
    _event(inc, IncidentEvent.Kind.CREATED, actor=actor, data={"scope": len(rows)})
    if status == Incident.Status.CONFIRMED:
        _backfill(inc, actor=actor)
    audit.record(actor=actor, action="incident.create", obj=inc, changes={"kind": kind})
    return inc


def _backfill(incident: Incident, *, actor=None) -> int:
    """Link open grouping cases already reported inside the scope since the incident began."""
    lookback = timedelta(minutes=max(r.window_minutes for r in rules_mod.rules().values()))
    since = min(incident.started_at, incident.first_case_at or incident.started_at) - lookback
    ids = (
        _signals_in_scope(incident).filter(created_at__gte=since).values_list("case_id", flat=True)
    )
    n = _link_case_ids(incident, ids, how=IncidentCase.How.CONFIRM, actor=actor)
    if n:
        _event(
            incident,
            IncidentEvent.Kind.CASES,
            actor=actor,
            body=_("Đã gắn %(n)s vụ việc đang mở trong phạm vi.") % {"n": n},
            data={"linked": n},
        )
    return n


@transaction.atomic
def transition(
    *,
    incident: Incident,
    to: str,
    actor=None,
    note: str = "",
    eta: datetime | None = None,
    merge_into: Incident | None = None,
    public_message: str | None = None,
) -> Incident:
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    _require_manage(actor, incident)
    if to not in Incident.Status.values:
        raise DomainError(_("Trạng thái không hợp lệ: %(s)s") % {"s": to}, code="bad_status")
    if to not in TRANSITIONS.get(incident.status, frozenset()):
        raise Conflict(
            _("Không thể chuyển sự cố từ “%(a)s” sang “%(b)s”.")
            % {
                "a": Incident.Status(incident.status).label,
                "b": Incident.Status(to).label,
            },
            code="illegal_transition",
        )
    if to == Incident.Status.CANCELLED and incident.kind != Incident.Kind.PLANNED:
        raise Conflict(_("Chỉ hủy được lịch ngừng cấp điện."), code="illegal_transition")
    note = (note or "").strip()[:2000]
    now = timezone.now()
    before = incident.status
    if public_message is not None:
        incident.public_message = public_message.strip()[:2000]
    eta_changed = False
    if eta is not None and eta != incident.eta:
        if eta <= incident.started_at:
            raise DomainError(_("Thời gian dự kiến phải sau thời điểm bắt đầu."), code="bad_eta")
        incident.eta = eta
        eta_changed = True
    if to == Incident.Status.MERGED:
        if merge_into is None:
            raise DomainError(_("Cần chọn sự cố để gộp vào."), code="missing_merge_target")
        _require_manage(actor, merge_into)
        incident.save()
        _merge(source=incident, target=merge_into, actor=actor, note=note)
        audit.record(
            actor=actor, action="incident.merge", obj=incident, changes={"into": merge_into.pk}
        )
        incident.refresh_from_db()
        return incident
    incident.status = to
    if to == Incident.Status.CONFIRMED and not incident.confirmed_at:
        incident.confirmed_at = now
    if to in (Incident.Status.RESOLVED, Incident.Status.CANCELLED, Incident.Status.DISMISSED):
        incident.resolved_at = now
        _set_live(incident, False)
    if to in (Incident.Status.RESOLVED, Incident.Status.CANCELLED):
        incident.cascade_pending = True
        if to == Incident.Status.CANCELLED:
            incident.version += 1
    incident.save()
    _event(
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
            _notify_callers(incident, template="incident_outage", suffix="confirmed")
    elif eta_changed and to in Incident.ACTIVE and incident.kind != Incident.Kind.PLANNED:
        _notify_callers(
            incident, template="incident_outage", suffix=f"eta:{int(incident.eta.timestamp())}"
        )
    if to == Incident.Status.DISMISSED:
        n, _d = IncidentCase.objects.filter(incident=incident).delete()
        _event(incident, IncidentEvent.Kind.CASES, actor=actor, data={"unlinked": n})
    if incident.cascade_pending:
        _schedule_cascade(incident.pk)
    audit.record(
        actor=actor, action="incident.transition", obj=incident, changes={"status": [before, to]}
    )
    return incident


@transaction.atomic
def update_incident(
    *,
    incident: Incident,
    actor=None,
    eta: datetime | None = None,
    public_message: str | None = None,
    title: str | None = None,
    note: str = "",
) -> Incident:
    """Edit ETA/message. A new ETA notifies the callers of the linked cases."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    _require_manage(actor, incident)
    if incident.status not in Incident.LIVE:
        raise Conflict(_("Sự cố đã kết thúc, không thể sửa."), code="closed")
    changes = {}
    if title is not None:
        title = " ".join(title.split())[:200]
        if not title:
            raise DomainError(_("Thiếu tiêu đề sự cố."), code="missing_title")
        changes["title"] = [incident.title, title]
        incident.title = title
    if public_message is not None:
        changes["public_message"] = True
        incident.public_message = public_message.strip()[:2000]
    eta_changed = False
    if eta is not None and eta != incident.eta:
        if eta <= incident.started_at:
            raise DomainError(_("Thời gian dự kiến phải sau thời điểm bắt đầu."), code="bad_eta")
        changes["eta"] = [incident.eta, eta]
        incident.eta = eta
        eta_changed = True
    incident.save()
    if eta_changed:
        _event(
            incident,
            IncidentEvent.Kind.ETA,
            actor=actor,
            body=note or _("Dự kiến khôi phục: %(eta)s") % {"eta": _local(eta)},
            data={"eta": eta.isoformat()},
        )
        if incident.status != Incident.Status.SUSPECTED:
            _notify_callers(
                incident, template="incident_outage", suffix=f"eta:{int(eta.timestamp())}"
            )
    elif changes:
        _event(
            incident,
            IncidentEvent.Kind.NOTE,
            actor=actor,
            body=note,
            data={"fields": list(changes)},
        )
    audit.record(actor=actor, action="incident.update", obj=incident, changes=changes)
    return incident


@transaction.atomic
def link_case(*, incident: Incident, case, actor=None) -> bool:
    _require_manage(actor, incident)
    if incident.status not in Incident.LIVE:
        raise Conflict(_("Sự cố đã kết thúc."), code="closed")
    return _link_case(incident, case, how=IncidentCase.How.MANUAL, actor=actor)


# --- notifications --------------------------------------------------------------------------
#
# Every customer message goes through the notify outbox (cskh.notify.services.notify_customers)
# in slices (NotifyBatch) paced per channel: a slice of a channel holds `rate × NOTIFY_SLOT`
# customers and slice k is due k slots after the first. Slices due now are handed to the outbox
# in the caller's transaction; later ones by the `send_notify_batches` task or
# `cskh incidents_tick`. Progress = slices handed over + outbox delivery counts.

NOTIFY_SLOT_SECONDS = 5
DEFAULT_NOTIFY_RATES = {"sms": 500, "zalo": 500, "email": 200}  # messages per second


def notify_rates() -> dict[str, float]:
    return {**DEFAULT_NOTIFY_RATES, **(getattr(settings, "CSKH_INCIDENT_NOTIFY_RATES", {}) or {})}


def _notify_fn(name: str):
    try:
        module = importlib.import_module("cskh.notify.services")
        return getattr(module, name)
    except (ImportError, AttributeError) as exc:
        raise DomainError(
            gettext_lazy("Chưa có dịch vụ thông báo (cskh.notify.services.%(f)s).") % {"f": name},
            status=503,
            code="notify_unavailable",
        ) from exc


def notify_context(incident: Incident) -> dict:
    areas = sorted({s.ward.name for s in incident.scopes.select_related("ward") if s.ward_id})
    return {
        "incident_id": incident.pk,
        "incident_number": incident.code,
        "incident": incident.code,
        "title": incident.title,
        "message": incident.public_message,
        "area": ", ".join(areas[:5]),
        "reason": incident.reason,
        "eta": _local(incident.eta),
        "start": _local(incident.started_at),
        "end": _local(incident.ends_at),
        "resolved_at": _local(incident.resolved_at),
    }


def _plan_notify(
    incident: Incident,
    recipients: list[tuple[int, str]],
    *,
    template: str,
    suffix: str,
    track: bool = False,
    now: datetime | None = None,
) -> int:
    """Split (customer_id, preferred channel) pairs into paced slices; hand over those due now.

    Idempotent per (incident, suffix): the outbox dedupes on f"{prefix}:{customer_id}".
    `track` resets the incident's progress counters (resolution / planned notices)."""
    _notify_fn("notify_customers")  # fail early (503) when the outbox is missing
    now = now or timezone.now()
    prefix = f"incident:{incident.pk}:{suffix}"[:120]
    if NotifyBatch.objects.filter(incident=incident, dedupe_prefix=prefix).exists():
        return 0
    context = notify_context(incident)
    rates = notify_rates()
    by_channel: dict[str, list[int]] = {}
    for cid, ch in dict(recipients).items():
        by_channel.setdefault(ch if ch in rates else "sms", []).append(cid)
    rows = []
    for ch, ids in sorted(by_channel.items()):
        size = max(1, min(5000, int(rates[ch] * NOTIFY_SLOT_SECONDS)))
        for k, i in enumerate(range(0, len(ids), size)):
            chunk = ids[i : i + size]
            rows.append(
                NotifyBatch(
                    incident=incident,
                    template=template,
                    dedupe_prefix=prefix,
                    channel=ch,
                    customer_ids=chunk,
                    size=len(chunk),
                    context=context,
                    due_at=now + timedelta(seconds=k * NOTIFY_SLOT_SECONDS),
                    created_at=now,
                )
            )
    NotifyBatch.objects.bulk_create(rows, batch_size=200)
    total = sum(r.size for r in rows)
    if track:
        Incident.objects.filter(pk=incident.pk).update(notify_total=total, notify_enqueued=0)
    _event(
        incident,
        IncidentEvent.Kind.NOTIFY,
        body=_("Lên lịch thông báo cho %(n)s khách hàng (%(t)s), %(b)s đợt.")
        % {"n": total, "t": template, "b": len(rows)},
        data={"template": template, "customers": total, "batches": len(rows)},
        at=now,
    )
    send_due_batches(incident_id=incident.pk, now=now)
    if len(rows) > len(by_channel):
        _kick_batches()
    return total


def _recipients(customer_ids: Iterable[int]) -> list[tuple[int, str]]:
    from cskh.customers.models import Customer

    ids = sorted(set(customer_ids))
    out: list[tuple[int, str]] = []
    for i in range(0, len(ids), 5000):
        out += list(
            Customer.objects.filter(pk__in=ids[i : i + 5000]).values_list("pk", "preferred_channel")
        )
    return out


def send_due_batches(
    *, incident_id: int | None = None, now: datetime | None = None, limit: int = 1000
) -> int:
    """Hand due slices to the outbox, one transaction each (safe with several workers)."""
    fn = _notify_fn("notify_customers")
    done = 0
    while done < limit:
        at = now or timezone.now()
        with transaction.atomic():
            qs = NotifyBatch.objects.filter(sent_at__isnull=True, due_at__lte=at)
            if incident_id is not None:
                qs = qs.filter(incident_id=incident_id)
            qs = qs.order_by("due_at", "id")
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            batch = qs.first()
            if batch is None:
                break
            queued = fn(
                customer_ids=batch.customer_ids,
                template=batch.template,
                context=batch.context,
                incident_id=batch.incident_id,
                dedupe_prefix=batch.dedupe_prefix,
            )
            NotifyBatch.objects.filter(pk=batch.pk).update(sent_at=at, queued=queued or 0)
            Incident.objects.filter(pk=batch.incident_id).update(
                notify_enqueued=F("notify_enqueued") + batch.size
            )
        done += 1
    return done


def next_batch_due() -> datetime | None:
    return (
        NotifyBatch.objects.filter(sent_at__isnull=True)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )


def _kick_batches(run_after: datetime | None = None) -> None:
    def enqueue():
        from cskh.incidents.tasks import send_notify_batches

        try:
            due = run_after or next_batch_due()
            if due is None:
                return
            send_notify_batches.using(run_after=due).enqueue()
        except Exception:  # noqa: BLE001 — `cskh incidents_tick` picks the slices up
            log.exception("could not enqueue notification slices")

    transaction.on_commit(enqueue)


def _notify_callers(incident: Incident, *, template: str, suffix: str) -> int:
    """Customers who asked to be informed: linked callers (auto) and explicit subscribers."""
    ids = selectors.subscriber_customer_ids(incident)
    if not ids:
        return 0
    return _plan_notify(incident, _recipients(ids), template=template, suffix=suffix)


@transaction.atomic
def subscribe(*, incident: Incident, customer, actor=None, source: str = "api") -> bool:
    """Ask to be informed about an incident (ETA changes and restoration)."""
    if incident.status not in Incident.LIVE:
        raise Conflict(_("Sự cố đã kết thúc."), code="closed")
    created = _subscribe(incident, [customer.pk], source=source)
    if created:
        audit.record(
            actor=actor,
            action="incident.subscribe",
            obj=incident,
            changes={"customer": customer.pk, "source": source},
        )
    return bool(created)


def _subscribe(incident: Incident, customer_ids: Iterable[int], *, source: str) -> int:
    now = timezone.now()
    rows = [
        IncidentSubscription(incident=incident, customer_id=c, source=source, created_at=now)
        for c in set(customer_ids)
    ]
    before = IncidentSubscription.objects.filter(incident=incident).count()
    IncidentSubscription.objects.bulk_create(rows, ignore_conflicts=True)
    return IncidentSubscription.objects.filter(incident=incident).count() - before


def _schedule_cascade(incident_id: int) -> None:
    from cskh.incidents.tasks import run_cascade

    def enqueue():
        try:
            run_cascade.enqueue(incident_id)
        except Exception:  # noqa: BLE001 — `cskh incidents_tick` picks it up
            log.exception("could not enqueue cascade for incident %s", incident_id)

    transaction.on_commit(enqueue)


def resolve_linked_cases(incident: Incident) -> int:
    """Resolve linked open cases that have no other open issue (no other live incident and
    still a grouping case type). Each case in its own transaction; idempotent."""
    from cskh.cases.models import Case
    from cskh.cases.services import transition as case_transition

    note = _("Đã khắc phục sự cố %(code)s: %(title)s.") % {
        "code": incident.code,
        "title": incident.title,
    }
    done = reported = 0
    last = 0
    while True:
        batch = list(
            IncidentCase.objects.filter(incident=incident, case__is_open=True, id__gt=last)
            .order_by("id")
            .values_list("id", "case_id")[:RESOLVE_BATCH]
        )
        if not batch:
            break
        last = batch[-1][0]
        case_ids = [c for _i, c in batch]
        other = set(
            IncidentCase.objects.filter(case_id__in=case_ids, incident__status__in=Incident.LIVE)
            .exclude(incident=incident)
            .values_list("case_id", flat=True)
        )
        for case in Case.objects.filter(pk__in=case_ids, is_open=True).select_related("case_type"):
            if case.pk in other or not case.case_type.groups_incidents:
                continue
            try:
                with transaction.atomic():
                    case_transition(case=case, to="resolved", note=note)
                done += 1
            except DomainError as exc:
                log.warning("incident %s: case %s not resolved: %s", incident.pk, case.pk, exc)
        Incident.objects.filter(pk=incident.pk).update(
            cases_resolved=F("cases_resolved") + (done - reported)
        )
        reported = done
    if done:
        _event(
            incident,
            IncidentEvent.Kind.CASES,
            body=_("Đã đóng %(n)s vụ việc liên quan.") % {"n": done},
            data={"resolved": done},
        )
    return done


def run_cascade(incident_id: int) -> dict:
    """After resolution/cancellation: resolve linked cases, notify everyone in scope.

    Idempotent (the outbox dedupes per customer); leaves cascade_pending set if the notify
    service is unavailable so that `cskh incidents_tick` retries.
    """
    incident = Incident.objects.filter(pk=incident_id, cascade_pending=True).first()
    if incident is None:
        return {"skipped": True}
    out: dict = {}
    if incident.status == Incident.Status.RESOLVED:
        out["cases_resolved"] = resolve_linked_cases(incident)
        if incident.kind != Incident.Kind.PLANNED:
            try:
                out["notified"] = _plan_notify(
                    incident,
                    selectors.affected_recipients(incident),
                    template="incident_restored",
                    suffix="resolved",
                    track=True,
                )
            except DomainError as exc:
                _event(incident, IncidentEvent.Kind.NOTIFY, body=str(exc))
                return {**out, "error": str(exc)}
    elif incident.status == Incident.Status.CANCELLED:
        if incident.notice_sent_at:
            try:
                out["notified"] = _plan_notify(
                    incident,
                    selectors.affected_recipients(incident),
                    template="planned_outage_cancelled",
                    suffix=f"cancelled:v{incident.version}",
                    track=True,
                )
            except DomainError as exc:
                _event(incident, IncidentEvent.Kind.NOTIFY, body=str(exc))
                return {"error": str(exc)}
        Incident.objects.filter(pk=incident.pk).update(notified_version=incident.version)
    Incident.objects.filter(pk=incident.pk).update(cascade_pending=False)
    return out


# --- planned outages ------------------------------------------------------------------------


def notice_days() -> int:
    return int(getattr(settings, "CSKH_PLANNED_NOTICE_DAYS", 5))


@transaction.atomic
def import_planned(*, rows, filename: str = "", actor=None) -> dict:
    """Apply validated rows (see importer.parse_schedule) all at once."""
    from cskh.incidents.models import ScheduleImport
    from cskh.org.selectors import unit_for_ward

    if actor is not None and not (
        actor.is_superuser or getattr(actor, "role", "") in selectors.MANAGER_ROLES
    ):
        raise Forbidden(_("Bạn không có quyền nhập lịch ngừng cấp điện."))
    now = timezone.now()
    short = now + timedelta(days=notice_days())
    created = updated = cancelled = 0
    flagged: list[str] = []
    ids: list[int] = []
    for row in rows:
        existing = None
        if row.code:
            existing = (
                Incident.objects.select_for_update()
                .filter(kind=Incident.Kind.PLANNED, schedule_code=row.code)
                .exclude(status__in=[Incident.Status.CANCELLED, Incident.Status.RESOLVED])
                .first()
            )
        if row.cancel:
            transition(
                incident=existing, to=Incident.Status.CANCELLED, actor=actor, note=row.reason
            )
            cancelled += 1
            ids.append(existing.pk)
            continue
        if existing is not None:
            changed = (
                existing.started_at != row.start
                or existing.ends_at != row.end
                or existing.reason != row.reason
                or {(s.level, s.code) for s in existing.scopes.all()}
                != {(row.level, row.scope_code)}
            )
            if changed:
                existing.started_at = row.start
                existing.ends_at = row.end
                existing.eta = row.end
                existing.reason = row.reason
                existing.public_message = row.reason
                existing.version += 1
                if existing.started_at > now + timedelta(days=1):
                    existing.reminder_sent_at = None
                existing.save()
                existing.scopes.all().delete()
                IncidentScope.objects.create(
                    incident=existing,
                    level=row.level,
                    code=row.scope_code,
                    ward_id=row.ward_id,
                    live=True,
                )
                _event(
                    existing,
                    IncidentEvent.Kind.CHANGE,
                    actor=actor,
                    body=_("Lịch thay đổi: %(s)s – %(e)s")
                    % {"s": _local(row.start), "e": _local(row.end)},
                    data={"version": existing.version},
                )
                updated += 1
            ids.append(existing.pk)
            continue
        inc = Incident.objects.create(
            kind=Incident.Kind.PLANNED,
            status=Incident.Status.CONFIRMED,
            title=(_("Ngừng cấp điện theo kế hoạch: %(a)s") % {"a": row.area_label})[:200],
            public_message=row.reason,
            reason=row.reason,
            level=row.level,
            unit=unit_for_ward(row.ward_id),
            started_at=row.start,
            ends_at=row.end,
            eta=row.end,
            confirmed_at=now,
            schedule_code=row.code,
            short_notice=row.start < short,
            created_by=_user(actor),
        )
        IncidentScope.objects.create(
            incident=inc, level=row.level, code=row.scope_code, ward_id=row.ward_id, live=True
        )
        _event(
            inc,
            IncidentEvent.Kind.CREATED,
            actor=actor,
            body=_("Nhập từ tệp %(f)s") % {"f": filename},
            data={"short_notice": inc.short_notice},
        )
        if inc.short_notice:
            flagged.append(row.code or inc.code)
        created += 1
        ids.append(inc.pk)
    batch = ScheduleImport.objects.create(
        filename=filename[:200],
        rows=len(rows),
        created=created,
        updated=updated,
        cancelled=cancelled,
        actor=_user(actor),
    )
    audit.record(
        actor=actor,
        action="planned.import",
        obj=batch,
        changes={"created": created, "updated": updated, "cancelled": cancelled},
    )

    transaction.on_commit(_enqueue_planned_notices)
    return {
        "import_id": batch.pk,
        "rows": len(rows),
        "created": created,
        "updated": updated,
        "cancelled": cancelled,
        "short_notice": flagged,
        "incident_ids": ids,
    }


def _enqueue_planned_notices() -> None:
    """After commit: let the task worker send the planned-outage notices that are due."""
    from cskh.incidents.tasks import deliver_planned_notices as task

    try:
        task.enqueue()
    except Exception:  # noqa: BLE001
        log.exception("could not enqueue planned notices")


def deliver_planned_notices(*, now: datetime | None = None) -> dict:
    """Scheduler step (idempotent): notices, change notices, day-before reminders, and the
    planned-outage lifecycle (in progress at start, resolved at end)."""
    now = now or timezone.now()
    counts = {"notice": 0, "changed": 0, "reminder": 0, "started": 0, "finished": 0, "errors": 0}
    qs = Incident.objects.filter(
        kind=Incident.Kind.PLANNED, status__in=Incident.ACTIVE, ends_at__gte=now - timedelta(days=1)
    ).order_by("started_at")
    for inc in qs:
        try:
            if inc.started_at > now:
                if inc.notice_sent_at is None:
                    _plan_notify(
                        inc,
                        selectors.affected_recipients(inc),
                        template="planned_outage_notice",
                        suffix=f"notice:v{inc.version}",
                        track=True,
                        now=now,
                    )
                    close = inc.started_at - now <= timedelta(days=1)
                    Incident.objects.filter(pk=inc.pk).update(
                        notice_sent_at=now,
                        notified_version=inc.version,
                        reminder_sent_at=now if close else None,
                    )
                    counts["notice"] += 1
                    continue
                elif inc.version > inc.notified_version:
                    _plan_notify(
                        inc,
                        selectors.affected_recipients(inc),
                        template="planned_outage_changed",
                        suffix=f"changed:v{inc.version}",
                        track=True,
                        now=now,
                    )
                    Incident.objects.filter(pk=inc.pk).update(notified_version=inc.version)
                    counts["changed"] += 1
                if (
                    inc.reminder_sent_at is None
                    and inc.started_at - now <= timedelta(days=1)
                    and inc.notice_sent_at is not None
                ):
                    stamp = int(inc.started_at.timestamp())
                    _plan_notify(
                        inc,
                        selectors.affected_recipients(inc),
                        template="planned_outage_reminder",
                        suffix=f"reminder:{stamp}",
                        track=True,
                        now=now,
                    )
                    Incident.objects.filter(pk=inc.pk).update(reminder_sent_at=now)
                    counts["reminder"] += 1
            elif inc.ends_at and inc.ends_at <= now:
                transition(
                    incident=inc,
                    to=Incident.Status.RESOLVED,
                    note=_("Hết thời gian ngừng cấp điện theo kế hoạch."),
                )
                counts["finished"] += 1
            elif inc.status == Incident.Status.CONFIRMED:
                transition(
                    incident=inc,
                    to=Incident.Status.RESTORING,
                    note=_("Bắt đầu ngừng cấp điện theo kế hoạch."),
                )
                counts["started"] += 1
        except DomainError as exc:
            counts["errors"] += 1
            log.warning("planned outage %s: %s", inc.pk, exc)
    for pk in Incident.objects.filter(cascade_pending=True).values_list("pk", flat=True):
        run_cascade(pk)
    counts["batches"] = send_due_batches(now=now)
    return counts


@transaction.atomic
def change_planned(
    *, incident: Incident, start: datetime, end: datetime, reason: str | None = None, actor=None
) -> Incident:
    """Reschedule a planned outage; customers already notified are notified again."""
    from cskh.incidents.importer import MAX_DURATION

    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    _require_manage(actor, incident)
    if incident.kind != Incident.Kind.PLANNED:
        raise DomainError(_("Đây không phải lịch ngừng cấp điện."), code="not_planned")
    if incident.status != Incident.Status.CONFIRMED:
        raise Conflict(_("Chỉ đổi được lịch chưa bắt đầu."), code="illegal_transition")
    now = timezone.now()
    if end <= start:
        raise DomainError(_("Kết thúc phải sau bắt đầu."), code="bad_period")
    if end - start > MAX_DURATION:
        raise DomainError(_("Thời gian ngừng cấp điện quá dài (tối đa 3 ngày)."), code="bad_period")
    if start <= now:
        raise DomainError(_("Thời gian bắt đầu đã qua."), code="bad_period")
    before = [incident.started_at, incident.ends_at]
    incident.started_at, incident.ends_at, incident.eta = start, end, end
    if reason is not None and reason.strip():
        incident.reason = incident.public_message = reason.strip()[:300]
    incident.version += 1
    if start - now > timedelta(days=1):
        incident.reminder_sent_at = None
    if start < now + timedelta(days=notice_days()):
        incident.short_notice = True
    incident.save()
    _event(
        incident,
        IncidentEvent.Kind.CHANGE,
        actor=actor,
        body=_("Lịch thay đổi: %(s)s – %(e)s") % {"s": _local(start), "e": _local(end)},
        data={"version": incident.version},
    )
    audit.record(
        actor=actor,
        action="planned.change",
        obj=incident,
        changes={"period": [before, [start, end]]},
    )

    transaction.on_commit(_enqueue_planned_notices)
    return incident
