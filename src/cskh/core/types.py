"""Type aliases shared by the apps' services."""

from django.contrib.auth.models import AbstractUser, AnonymousUser

# Who acts: a signed-in user (or API token user), an anonymous visitor, or None for the system.
# Services record only an authenticated actor (see cskh.core.audit.record).
type Actor = AbstractUser | AnonymousUser | None
