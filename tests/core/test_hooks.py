"""Hook order: a hook that needs another's result declares it; start-up refuses a list that
contradicts the declaration."""

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from cskh.core import hooks

SLA = "cskh.sla.services.on_case_opened"
NOTIFY = "cskh.notify.hooks.case_opened"


def _ids(errors) -> list[str]:
    return [e.id for e in errors]


def test_the_shipped_hook_order_is_consistent(settings):
    assert hooks.order_errors(settings.CSKH_HOOKS) == []
    opened = hooks.entries("case_opened")
    assert hooks.Entry(NOTIFY, (SLA, "cskh.textintel.services.on_case_opened")) in opened


def test_a_dependency_listed_later_is_an_error():
    config = {"case_opened": [{"path": NOTIFY, "after": [SLA]}, SLA]}
    errors = hooks.order_errors(config)
    assert _ids(errors) == ["cskh.E010"]
    assert "listed before" in errors[0].msg and NOTIFY in errors[0].msg


def test_a_missing_dependency_is_an_error():
    errors = hooks.order_errors({"case_opened": [{"path": NOTIFY, "after": [SLA]}]})
    assert _ids(errors) == ["cskh.E010"]
    assert "not in the list" in errors[0].msg


def test_an_unknown_hook_is_an_error():
    errors = hooks.order_errors({"case_opened": ["cskh.nowhere.hook"]})
    assert _ids(errors) == ["cskh.E011"]


def test_the_declared_order_is_accepted():
    assert hooks.order_errors({"case_opened": [SLA, {"path": NOTIFY, "after": [SLA]}]}) == []


def test_start_up_check_fails_on_a_contradicting_order(settings):
    settings.CSKH_HOOKS = {"case_opened": [{"path": NOTIFY, "after": [SLA]}, SLA]}
    assert "cskh.E010" in _ids(run_checks(tags=["cskh"]))
    with pytest.raises(SystemCheckError, match="listed before"):
        call_command("check", tag=["cskh"])
