from django.db import models
from django.utils.translation import gettext_lazy as _


class LiveEvent(models.Model):
    """Live push, database fallback (no Redis): tailed by id by the SSE streams, pruned after
    a few minutes. See cskh.core.live."""

    channel = models.CharField(max_length=64)
    payload = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sự kiện đẩy")
        verbose_name_plural = _("sự kiện đẩy")
        indexes = [models.Index(fields=["channel", "id"], name="liveevent_channel_id")]
