"""Background exports: a Django Task writes the file (XLSX in write-only mode, or CSV) to
the default storage and counts its progress on the ExportJob row the page shows."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cskh.core import exports
from cskh.core.errors import DomainError
from cskh.org.models import User
from cskh.reports import selectors
from cskh.reports.models import ExportJob


def _filters(user: User, params: dict[str, Any]) -> selectors.Filters:
    def day(key: str) -> date | None:
        v = params.get(key)
        return date.fromisoformat(v) if v else None

    return selectors.filters_for(
        user,
        start=day("from"),
        end=day("to"),
        unit_id=params.get("unit"),
        team_id=params.get("team"),
        channel=params.get("channel"),
        case_type_id=params.get("type"),
    )


@transaction.atomic
def start_export(*, user: User, kind: str, fmt: str, params: dict[str, Any]) -> ExportJob:
    """Queue an export of the case list ("cases") or of a report; the task runs after commit."""
    if kind != "cases" and kind not in selectors.REPORTS:
        raise DomainError(_("Không có báo cáo này."), code="bad_report")
    if fmt not in ("xlsx", "csv"):
        raise DomainError(_("Định dạng không hỗ trợ: %(f)s") % {"f": fmt}, code="bad_format")
    job = ExportJob.objects.create(user=user, kind=kind, fmt=fmt, params=params)
    from cskh.reports import tasks

    transaction.on_commit(lambda: tasks.run_export.enqueue(job.pk))
    return job


def run_export(job_id: int) -> ExportJob:
    """Write the file for one job (idempotent: a finished job is left alone)."""
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return job
    job.status = ExportJob.Status.RUNNING
    job.save(update_fields=["status"])
    try:
        f = _filters(job.user, job.params)
        if job.kind == "cases":
            qs = selectors.case_list(job.user, f)
            job.total = qs.count()
            job.save(update_fields=["total"])
            columns, rows, title = selectors.CASE_COLUMNS, selectors.case_rows(qs), _("Yêu cầu")
        else:
            rep = selectors.report(job.kind, user=job.user, filters=f)
            job.total = len(rep.rows)
            columns, rows, title = rep.columns, iter(rep.rows), str(rep.title)

        def progress(n: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(done=n)

        buf = io.BytesIO()
        if job.fmt == "xlsx":
            n = exports.write_xlsx(buf, columns, rows, title=str(title), progress=progress)
        else:
            n = 0
            for line in exports.csv_lines(columns, rows):
                buf.write(line.encode("utf-8"))
                n += 1
            n -= 1
        name = f"{job.kind}-{timezone.localdate():%Y%m%d}-{job.pk}.{job.fmt}"
        job.file_name = default_storage.save(f"exports/{name}", ContentFile(buf.getvalue()))
        job.done = n
        job.status = ExportJob.Status.DONE
    except Exception as exc:  # the page shows the failure instead of spinning forever
        job.status = ExportJob.Status.FAILED
        job.error = str(exc)[:500]
    job.finished_at = timezone.now()
    job.save()
    return job
