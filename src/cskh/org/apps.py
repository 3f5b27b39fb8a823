from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "cskh.org"
    label = "org"
    verbose_name = _("Tổ chức")

    def ready(self):
        from cskh.core import refcache
        from cskh.org.models import ApiToken, ServiceArea, Unit, User

        # Routing rules are cached with their unit (select_related); tokens with their user.
        refcache.watch(Unit, "org.unit_for_ward", "org.default_unit", "catalog.routing_rules")
        refcache.watch(ServiceArea, "org.unit_for_ward")
        refcache.watch(ApiToken, "org.token")
        # A login saves last_login only: it must not drop anyone's token cache.
        refcache.watch(User, "org.token", ignore_fields=("last_login",))

        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_login_failed

        from cskh.org import login_policy

        # Alerts: credential stuffing (many failures from one address), each lockout.
        user_login_failed.connect(login_policy.on_login_failed, dispatch_uid="cskh.login_failed")
        user_locked_out.connect(login_policy.on_locked_out, dispatch_uid="cskh.locked_out")
