import copy
import secrets
import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cskh.core import audit, refcache
from cskh.core.errors import DomainError
from cskh.core.types import Actor
from cskh.org.models import ApiToken, ServiceArea, Unit, User


@transaction.atomic
def create_unit(
    *,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None = None,
    ward_codes: Sequence[int] = (),
    is_default: bool = False,
    actor: Actor = None,
    **extra: Any,
) -> Unit:
    if Unit.objects.filter(code=code).exists():
        raise DomainError(_("Mã đơn vị đã tồn tại: %(c)s") % {"c": code}, code="duplicate")
    unit = Unit.objects.create(
        code=code, name=name, kind=kind, parent=parent, is_default=is_default, **extra
    )
    ServiceArea.objects.bulk_create([ServiceArea(unit=unit, ward_id=w) for w in ward_codes])
    refcache.invalidate("org.unit_for_ward")  # bulk_create sends no signals
    audit.record(actor=actor, action="unit.create", obj=unit, changes={"code": code})
    return unit


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str | None = None,
    role: str = User.Role.AGENT,
    unit: Unit | None = None,
    actor: Actor = None,
    **extra: Any,
) -> User:
    if role not in User.Role.values:
        raise DomainError(_("Vai trò không hợp lệ: %(r)s") % {"r": role}, code="bad_role")
    if User.objects.filter(username=username).exists():
        raise DomainError(_("Tên đăng nhập đã tồn tại: %(u)s") % {"u": username}, code="duplicate")
    user = User(username=username, role=role, unit=unit, **extra)
    if role == User.Role.ADMIN:
        user.is_staff = True
        user.is_superuser = True
    elif role in (User.Role.SHIFT_LEAD, User.Role.MANAGER):
        user.is_staff = True
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit.record(actor=actor, action="user.create", obj=user, changes={"role": role})
    return user


@transaction.atomic
def create_api_token(
    *, user: User, name: str = "", scopes: Sequence[str] | None = None, actor: Actor = None
) -> str:
    """Returns the raw token once; only its hash is stored. scopes: ApiToken.Scope values
    (default read + write; an integration account's PBX token: ["telephony"])."""
    chosen = sorted(set(scopes)) if scopes is not None else ["read", "write"]
    bad = [s for s in chosen if s not in ApiToken.Scope.values]
    if bad or not chosen:
        raise DomainError(
            _("Phạm vi không hợp lệ: %(s)s") % {"s": ", ".join(bad) or "-"}, code="bad_scope"
        )
    raw = "cskh_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:12], digest=ApiToken.hash(raw), scopes=chosen
    )
    audit.record(
        actor=actor,
        action="token.create",
        obj=token,
        changes={"user": user.username, "scopes": chosen},
    )
    return raw


def authenticate_token(raw: str) -> User | None:
    hit = authenticate_token_scoped(raw)
    return hit[0] if hit else None


def authenticate_token_scoped(raw: str) -> tuple[User, frozenset[str]] | None:
    """The token's user (a fresh copy per request) and its scopes, or None.

    The token and its user are cached per process (core.refcache); a save of either
    invalidates at once. A bulk ``update()`` (``User.objects.filter(...).update(
    is_active=False)``, a revoke by SQL) sends no signal, so each process also re-checks a
    cached token with one indexed query at most every ``CSKH_TOKEN_RECHECK_SECONDS``: a
    revoked token or a deactivated user stops working within that time on every process."""
    if not raw or len(raw) > 200:
        return None
    digest = ApiToken.hash(raw)
    hit = refcache.get(("org.token", digest), lambda: _load_token(digest))
    if hit is None:
        return None
    token_id, user, scopes = hit
    now = time.monotonic()
    # The memos are keyed by the digest, the credential itself: a row id can come back for
    # another token (a restored backup, a rolled-back test) and would inherit the old times.
    if now - _TOKEN_CHECKED.get(digest, -1e9) > settings.CSKH_TOKEN_RECHECK_SECONDS:
        still_valid = ApiToken.objects.filter(
            pk=token_id, revoked_at__isnull=True, user__is_active=True
        ).exists()
        if not still_valid:
            _TOKEN_CHECKED.pop(digest, None)
            refcache.invalidate("org.token")
            return None
        _TOKEN_CHECKED[digest] = now
    if now - _TOKEN_TOUCHED.get(digest, -1e9) > 300:  # last_used_at: every 5 minutes
        _TOKEN_TOUCHED[digest] = now
        ApiToken.objects.filter(pk=token_id).update(last_used_at=timezone.now())
    # Each request gets its own instance (attributes and relation caches are per object).
    return copy.copy(user), frozenset(scopes)


_TOKEN_TOUCHED: dict[str, float] = {}
_TOKEN_CHECKED: dict[str, float] = {}


def _load_token(digest: str) -> tuple[int, User, tuple[str, ...]] | None:
    """A token, its user and scopes, cached per process (core.refcache: revoking a token or
    deactivating its user takes effect everywhere within seconds)."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest, revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token.pk, token.user, tuple(token.scopes or ())


@transaction.atomic
def revoke_api_token(*, token: ApiToken, actor: Actor = None) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="token.revoke", obj=token)


def log_out_everywhere(*, user: User, actor: Actor = None) -> None:
    """End every web session of this user, on every host and this one.

    A session is bound to ``User.get_session_auth_hash()``, checked by Django on each
    request; the hash includes ``session_epoch``, so moving the epoch on ends them all
    (also sessions in a cache backend we cannot list)."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    audit.record(actor=actor, action="user.logout_everywhere", obj=user)


# --------------------------------------------------------------------------- two-factor (TOTP)


def totp_device_for_enrolment(*, user: User) -> Any:
    """The user's unconfirmed TOTP device (created on first call): shown as a QR code until
    the user confirms a code from the app."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    return device


@transaction.atomic
def confirm_totp(*, user: User, token: str, actor: Actor = None) -> Any | None:
    """Confirm enrolment with a first code: the device becomes the user's second factor
    (earlier confirmed devices are removed: one authenticator app per person)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token((token or "").strip()):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(actor=actor or user, action="user.totp_enrolled", obj=user)
    return device


def qr_svg(data: str) -> str:
    """An inline SVG QR code (no image request, no CDN)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(data, image_factory=SvgPathImage, box_size=8)
    svg: str = image.to_string(encoding="unicode")
    return svg
