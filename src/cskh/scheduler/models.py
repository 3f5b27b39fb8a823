from django.db import models
from django.utils.translation import gettext_lazy as _


class JobLease(models.Model):
    """One row per periodic job: when it is next due, and who ran it last.

    The row is the lock between scheduler processes: a process runs a due job only if its
    conditional UPDATE (`… WHERE name = %s AND next_run_at = <the value it read>`) changed the
    row, so of N processes on N hosts exactly one wins each due time. Written only by
    `cskh.scheduler.services`.
    """

    name = models.CharField(_("công việc"), max_length=64, primary_key=True)
    next_run_at = models.DateTimeField(_("lần chạy tới"))
    last_run_at = models.DateTimeField(_("lần chạy gần nhất"), null=True, blank=True)
    last_runner = models.CharField(_("tiến trình chạy gần nhất"), max_length=128, blank=True)
    # the task result of the last enqueue: while it still waits for a worker, the next due
    # time enqueues nothing (a stopped `cskh worker` must not find a backlog of scans)
    last_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("công việc định kỳ")
        verbose_name_plural = _("công việc định kỳ")

    def __str__(self) -> str:
        return self.name
