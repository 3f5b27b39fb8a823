"""Admin permissions from the role (documented extension point: an authentication backend
that only answers permission questions; ModelBackend still authenticates)."""

from typing import Any

from django.contrib.auth.backends import BaseBackend, ModelBackend

from cskh.org import permissions


class RoleBackend(BaseBackend):
    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return permissions.can_admin(user_obj, perm)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return app_label in permissions.admin_apps(user_obj)


class PeopleModelBackend(ModelBackend):
    """Django's ModelBackend for people only: integration accounts (role ``integration``, e.g.
    ``pbx``) cannot sign in to the web or the admin, and a session of one is not honoured
    (``user_can_authenticate`` is ModelBackend's documented hook, asked at sign-in and by
    ``get_user`` on each request)."""

    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and permissions.can_use_web(user)
