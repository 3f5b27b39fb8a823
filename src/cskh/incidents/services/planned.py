"""Planned outages: schedule import, rescheduling, and the notices/reminders/lifecycle step."""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cskh.catalog import services as catalog
from cskh.core import audit, dbstats
from cskh.core.errors import Conflict, DomainError, Forbidden
from cskh.core.types import Actor
from cskh.incidents import selectors, tasks
from cskh.incidents.importer import MAX_DURATION
from cskh.incidents.models import Incident, IncidentEvent, IncidentScope, ScheduleImport
from cskh.incidents.services.cascade import run_cascade
from cskh.incidents.services.common import local_time, record, require_manage, user_or_none
from cskh.incidents.services.lifecycle import transition
from cskh.incidents.services.notices import plan_notify, send_due_batches
from cskh.org import permissions
from cskh.org.selectors import unit_for_ward

log = logging.getLogger("cskh.incidents")


def notice_days() -> int:
    return settings.CSKH_PLANNED_NOTICE_DAYS


@transaction.atomic
def import_planned(*, rows, filename: str = "", actor: Actor = None) -> dict[str, Any]:
    """Apply validated rows (see importer.parse_schedule) all at once."""
    if actor is not None and not permissions.can_import_planned(actor):
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
            if existing is None:  # cancelled or resolved since the file was checked
                raise Conflict(
                    _("Không có lịch %(c)s để hủy.") % {"c": row.code}, code="schedule_gone"
                )
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
                record(
                    existing,
                    IncidentEvent.Kind.CHANGE,
                    actor=actor,
                    body=_("Lịch thay đổi: %(s)s – %(e)s")
                    % {"s": local_time(row.start), "e": local_time(row.end)},
                    data={"version": existing.version},
                )
                updated += 1
            ids.append(existing.pk)
            continue
        inc = Incident.objects.create(
            kind=Incident.Kind.PLANNED,
            status=Incident.Status.CONFIRMED,
            title=(
                _("%(what)s theo kế hoạch: %(a)s")
                % {"what": capfirst(catalog.terms()["planned_stop"]), "a": row.area_label}
            )[:200],
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
            created_by=user_or_none(actor),
        )
        IncidentScope.objects.create(
            incident=inc, level=row.level, code=row.scope_code, ward_id=row.ward_id, live=True
        )
        record(
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
    # a big schedule file is a bulk change: fresh statistics for the planner after commit
    dbstats.analyze([Incident, IncidentScope, IncidentEvent], rows=len(rows))
    batch = ScheduleImport.objects.create(
        filename=filename[:200],
        rows=len(rows),
        created=created,
        updated=updated,
        cancelled=cancelled,
        actor=user_or_none(actor),
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
    try:
        tasks.deliver_planned_notices.enqueue()
    except Exception:  # noqa: BLE001
        log.exception("could not enqueue planned notices")


def deliver_planned_notices(*, now: datetime | None = None) -> dict[str, Any]:
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
                    plan_notify(
                        inc,
                        selectors.affected_recipients(inc),
                        template="planned_outage_notice",
                        suffix=f"notice:v{inc.version}",
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
                    plan_notify(
                        inc,
                        selectors.affected_recipients(inc),
                        template="planned_outage_changed",
                        suffix=f"changed:v{inc.version}",
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
                    plan_notify(
                        inc,
                        selectors.affected_recipients(inc),
                        template="planned_outage_reminder",
                        suffix=f"reminder:{stamp}",
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
    *,
    incident: Incident,
    start: datetime,
    end: datetime,
    reason: str | None = None,
    actor: Actor = None,
) -> Incident:
    """Reschedule a planned outage; customers already notified are notified again."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    require_manage(actor, incident)
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
    record(
        incident,
        IncidentEvent.Kind.CHANGE,
        actor=actor,
        body=_("Lịch thay đổi: %(s)s – %(e)s") % {"s": local_time(start), "e": local_time(end)},
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
