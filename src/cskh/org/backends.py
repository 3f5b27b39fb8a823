"""Admin permissions from the role (documented extension point: an authentication backend
that only answers permission questions; ModelBackend still authenticates)."""

from typing import Any

from django.contrib.auth.backends import BaseBackend

from cskh.org import permissions


class RoleBackend(BaseBackend):
    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return permissions.can_admin(user_obj, perm)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return app_label in permissions.admin_apps(user_obj)
