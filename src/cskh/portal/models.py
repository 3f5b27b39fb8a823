"""The customer portal's own rows: one-time sign-in codes (hashed) and the photos customers
attach to their requests. Cases, timelines and subscriptions stay with their apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OtpChallenge(models.Model):
    """One sign-in attempt: a code sent to a phone. Only an HMAC of the code is stored. A
    challenge for a number not on file has no customer and can never succeed (the visitor is
    told the same thing either way)."""

    token = models.CharField(max_length=64, unique=True)
    phone_e164 = models.CharField(max_length=20, db_index=True)
    customer_id = models.BigIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=8, default="sms")
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã đăng nhập")
        verbose_name_plural = _("mã đăng nhập")


class Photo(models.Model):
    """A photo a customer attached to a case (with a new request or a reply)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    customer_id = models.BigIntegerField()
    event_id = models.BigIntegerField(null=True, blank=True)  # the reply it came with
    file = models.FileField(upload_to="portal/%Y/%m/")
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ảnh khách hàng gửi")
        verbose_name_plural = _("ảnh khách hàng gửi")
        indexes = [models.Index(fields=["case", "id"], name="portal_photo_case_id")]
