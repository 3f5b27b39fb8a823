"""Type aliases shared by the apps' services."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

# Who acts: a signed-in user (or API token user), an anonymous visitor, or None for the system.
# Services record only an authenticated actor (see cskh.core.audit.record).
type Actor = AbstractBaseUser | AnonymousUser | None
