from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditLog(models.Model):
    """Who changed what, when, from where. Append-only."""

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("hành động"), max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    changes = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            raise ValueError("AuditLog is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("AuditLog is append-only")


class LiveEvent(models.Model):
    """Live push, database fallback (no Redis): tailed by id by the SSE streams, pruned after
    a few minutes. Owned by core because ``cskh.core.live`` is the only reader and writer."""

    channel = models.CharField(max_length=64)
    payload = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sự kiện đẩy")
        verbose_name_plural = _("sự kiện đẩy")
        indexes = [models.Index(fields=["channel", "id"], name="core_liveevent_channel_id")]


class IdempotencyKey(models.Model):
    """The first successful answer to a POST sent with an ``Idempotency-Key`` header, kept 24 h
    so a client's retry gets it again instead of creating a second case (``core/idempotency``).

    ``scope`` is a digest of the caller's credentials (the bearer token or the session), so two
    clients never see each other's answers; the unique constraint is what makes two concurrent
    requests with one key create one object."""

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("khoá chống lặp")
        verbose_name_plural = _("khoá chống lặp")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="core_idempotency_scope_key")
        ]
