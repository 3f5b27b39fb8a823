import copy
import secrets
import time
from collections.abc import Sequence
from typing import Any

from django.db import transaction
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
def create_api_token(*, user: User, name: str = "", actor: Actor = None) -> str:
    """Returns the raw token once; only its hash is stored."""
    raw = "cskh_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:12], digest=ApiToken.hash(raw)
    )
    audit.record(actor=actor, action="token.create", obj=token, changes={"user": user.username})
    return raw


def authenticate_token(raw: str) -> User | None:
    if not raw or len(raw) > 200:
        return None
    digest = ApiToken.hash(raw)
    hit = refcache.get(("org.token", digest), lambda: _load_token(digest))
    if hit is None:
        return None
    token_id, user = hit
    now = time.monotonic()
    if now - _TOKEN_TOUCHED.get(token_id, -1e9) > 300:  # last_used_at: every 5 minutes
        _TOKEN_TOUCHED[token_id] = now
        ApiToken.objects.filter(pk=token_id).update(last_used_at=timezone.now())
    # Each request gets its own instance (attributes and relation caches are per object).
    return copy.copy(user)


_TOKEN_TOUCHED: dict[int, float] = {}


def _load_token(digest: str) -> tuple[int, User] | None:
    """A token and its user, cached per process (core.refcache: revoking a token or
    deactivating its user takes effect everywhere within seconds)."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest, revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token.pk, token.user


@transaction.atomic
def revoke_api_token(*, token: ApiToken, actor: Actor = None) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="token.revoke", obj=token)
