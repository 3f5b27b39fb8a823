from django.contrib import admin

from cskh.scheduler.models import JobLease


@admin.register(JobLease)
class JobLeaseAdmin(admin.ModelAdmin):
    """Read-only: the rows belong to `cskh scheduler` (the table is cskh.scheduler.jobs)."""

    list_display = ("name", "next_run_at", "last_run_at", "last_runner")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
