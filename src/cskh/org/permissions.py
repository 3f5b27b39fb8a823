"""Who may do what: the role sets, declared once, and the named predicates every view, API
endpoint and selector asks.

"Not yours" has one answer: an object the user may not see does not exist for them (404, so
sequential ids reveal nothing about another unit's cases, work orders, customers or
incidents). 403 is only for an object the user may see but an action they may not take, or for
a whole page their role cannot use.

Services keep their own guards (they are also called by commands and hooks); they should ask
these predicates too rather than declare role sets of their own.
"""

from __future__ import annotations

from typing import Any

from cskh.org.models import User
from cskh.org.selectors import visible_unit_ids

Role = User.Role

# The care center's people: they use the desk and see every unit.
CENTER_ROLES = frozenset({Role.AGENT, Role.SHIFT_LEAD, Role.MANAGER, Role.ADMIN})
# Those who supervise the shift: team board, unit backlog, SLA report link, article approval.
LEAD_ROLES = frozenset({Role.SHIFT_LEAD, Role.MANAGER, Role.ADMIN})
# The center and its systems (PBX, CRM integrations): every unit, every customer, may log and
# work cases and coordinate work orders. Unit staff only see their unit's share.
CENTER_SIDE_ROLES = CENTER_ROLES | {Role.INTEGRATION}
# Who runs incidents for every unit (unit staff manage their own unit's only).
INCIDENT_MANAGER_ROLES = LEAD_ROLES | {Role.INTEGRATION}
# Who may send call events (the PBX integration; admins for tests and replays).
TELEPHONY_ROLES = frozenset({Role.INTEGRATION, Role.ADMIN})
# Who takes calls and can be assigned cases (a queryset filter: role__in=CALL_TAKER_ROLES).
CALL_TAKER_ROLES = (Role.AGENT, Role.SHIFT_LEAD)
# Who reads the SLA compliance report (unit staff: their own units' rows).
SLA_REPORT_ROLES = LEAD_ROLES | {Role.UNIT_STAFF, Role.INTEGRATION}


def _role(user: Any) -> str | None:
    return getattr(user, "role", None)


def _superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


# --------------------------------------------------------------------------- roles


def is_agent(user: Any) -> bool:
    return _role(user) == Role.AGENT


def is_shift_lead(user: Any) -> bool:
    return _role(user) == Role.SHIFT_LEAD


def is_manager(user: Any) -> bool:
    return _role(user) == Role.MANAGER


def is_integration(user: Any) -> bool:
    return _role(user) == Role.INTEGRATION


def is_unit_staff(user: Any) -> bool:
    return _role(user) == Role.UNIT_STAFF and not _superuser(user)


def is_center_staff(user: Any) -> bool:
    """A person of the care center (or a superuser): may use the desk."""
    return _superuser(user) or _role(user) in CENTER_ROLES


def can_supervise(user: Any) -> bool:
    """Shift lead, manager, admin: the supervisor page, the team board, every unit's backlog."""
    return _superuser(user) or _role(user) in LEAD_ROLES


def sees_all_units(user: Any) -> bool:
    return _superuser(user) or _role(user) in CENTER_SIDE_ROLES


# --------------------------------------------------------------------------- cases, customers


def can_work_cases(user: Any) -> bool:
    """Log cases, change them, reply to customers: the center side only. Unit staff follow
    their unit's cases through work orders; they do not change cases themselves."""
    return _superuser(user) or _role(user) in CENTER_SIDE_ROLES


def can_view_case(user: Any, case: Any) -> bool:
    units = visible_unit_ids(user)
    return units is None or case.unit_id in units


def can_change_case(user: Any, case: Any) -> bool:
    """Transitions, notes and public replies, assignment: the desk's rule, also on the API."""
    return can_work_cases(user) and can_view_case(user, case)


def can_browse_customers(user: Any) -> bool:
    """Look customers up by phone, code or name, create them (not unit staff)."""
    return can_work_cases(user)


def can_view_customer(user: Any, customer: Any) -> bool:
    """Unit staff see a customer only while one of the customer's cases is with their unit."""
    units = visible_unit_ids(user)
    if units is None:
        return True
    return bool(units) and customer.cases.filter(unit_id__in=units).exists()


# --------------------------------------------------------------------------- work orders


def can_coordinate(user: Any) -> bool:
    """Center-side work-order steps: dispatch, redispatch, cancel, answer a unit's question."""
    return _superuser(user) or _role(user) in CENTER_SIDE_ROLES


def can_view_work_order(user: Any, work_order: Any) -> bool:
    units = visible_unit_ids(user)
    return units is None or work_order.unit_id in units


# --------------------------------------------------------------------------- incidents


def can_view_incident(user: Any, incident: Any) -> bool:
    units = visible_unit_ids(user)
    return units is None or incident.unit_id in units


def can_manage_incident(user: Any, incident: Any = None) -> bool:
    """Without an incident: may create one at all. Unit staff manage their own unit's."""
    if user is None:
        return True  # the system itself (hooks, commands)
    if _superuser(user) or _role(user) in INCIDENT_MANAGER_ROLES:
        return True
    if is_unit_staff(user):
        if incident is None:
            return bool(user.unit_id)
        return incident.unit_id in (visible_unit_ids(user) or set())
    return False


def can_import_planned(user: Any) -> bool:
    return _superuser(user) or _role(user) in INCIDENT_MANAGER_ROLES


# --------------------------------------------------------------------------- other pages


def can_view_sla_report(user: Any) -> bool:
    return _superuser(user) or _role(user) in SLA_REPORT_ROLES


def can_send_call_events(user: Any) -> bool:
    return _superuser(user) or _role(user) in TELEPHONY_ROLES


def can_read_notifications(user: Any) -> bool:
    return _superuser(user) or _role(user) in CENTER_SIDE_ROLES


# Outgoing webhooks (subscriptions, secrets, delivery log): managers, admins, and integration
# accounts (their token needs the "write" or "webhooks" scope, see token_allows).
WEBHOOK_MANAGER_ROLES = frozenset({Role.MANAGER, Role.ADMIN, Role.INTEGRATION})


def can_manage_webhooks(user: Any) -> bool:
    return _superuser(user) or _role(user) in WEBHOOK_MANAGER_ROLES


# --------------------------------------------------------------------------- Django admin
# The admin asks Django permissions ("app.action_model"); org.backends.RoleBackend answers them
# from the role, so a manager or shift lead needs no per-user permission rows. Superusers
# (the admin role) have every permission already.
# Configuration a manager edits: case types, SLA policies and calendars, routing rules, message
# templates, incident rules, units and their wards.
MANAGER_EDITS = frozenset(
    {
        "catalog.*",
        "sla.escalationrule",
        "notify.template",
        "webhooks.subscription",
        "incidents.incidentrule",
        "org.unit",
        "org.servicearea",
        "counters.office",
        "counters.service",
        "counters.counter",
    }
)
# Apps whose rows the center reads in the admin (leads: the operational ones).
MANAGER_VIEWS = frozenset(
    {
        "catalog",
        "sla",
        "notify",
        "webhooks",
        "incidents",
        "org",
        "cases",
        "customers",
        "dispatch",
        "telephony",
        "core",
        "counters",
    }
)
LEAD_VIEWS = frozenset({"cases", "customers", "dispatch", "incidents", "notify", "telephony"})


def admin_apps(user: Any) -> frozenset[str]:
    """Apps whose admin pages this staff user may open at all."""
    if not (getattr(user, "is_active", False) and getattr(user, "is_staff", False)):
        return frozenset()
    if is_manager(user):
        return MANAGER_VIEWS
    if is_shift_lead(user):
        return LEAD_VIEWS
    return frozenset()


def can_admin(user: Any, perm: str) -> bool:
    """A Django admin permission ("cases.view_case", "catalog.change_casetype") by role:
    managers view the center's data and edit its configuration (MANAGER_EDITS), shift leads
    view the operational records. Everything else stays with the admin role."""
    app, _dot, codename = perm.partition(".")
    action, _u, model = codename.partition("_")
    if app not in admin_apps(user):
        return False
    if action == "view":
        return True
    return is_manager(user) and bool({f"{app}.*", f"{app}.{model}"} & MANAGER_EDITS)


# --------------------------------------------------------------------------- workforce (wfm)

# Who plans the workforce: forecasts, staffing, rosters, adherence, what-if; who approves leave
# and swaps. The integration role may read the staffing calculator (planning tools).
WFM_PLANNER_ROLES = LEAD_ROLES
WFM_CALCULATOR_ROLES = LEAD_ROLES | {Role.INTEGRATION}


def can_plan_workforce(user: Any) -> bool:
    """The workforce pages, schedule generation and publishing, decisions on requests."""
    return _superuser(user) or _role(user) in WFM_PLANNER_ROLES


def can_use_staffing_calculator(user: Any) -> bool:
    """GET /api/v1/wfm/erlang and /staffing."""
    return _superuser(user) or _role(user) in WFM_CALCULATOR_ROLES


def can_request_time_off(user: Any) -> bool:
    """Agents and shift leads ask for leave and shift swaps on their own shifts."""
    return _role(user) in CALL_TAKER_ROLES


# --------------------------------------------------------------------------- conversations


def can_use_inbox(user: Any) -> bool:
    """The written-channel inbox (Zalo, Facebook, e-mail, web chat): the care center."""
    return is_center_staff(user)


def can_reply_conversation(user: Any, conversation: Any) -> bool:
    """Answer a customer in a conversation: those who work cases (the center side)."""
    return can_work_cases(user)


# --------------------------------------------------------------------------- quality (QA)


def can_review_quality(user: Any) -> bool:
    """Score agents' cases, run calibration, see every agent's QA: shift leads and above."""
    return can_supervise(user)


def can_check_replies(user: Any) -> bool:
    """Run the attitude check on a reply draft: whoever writes to customers."""
    return can_work_cases(user)


def can_view_review(user: Any, review: Any) -> bool:
    """A review is the reviewed agent's own, and visible to reviewers."""
    return can_review_quality(user) or (
        getattr(user, "pk", None) is not None and review.agent_id == user.pk
    )


# --------------------------------------------------------------------------- customer experience


def can_view_cx_results(user: Any) -> bool:
    """CSAT/NPS results, comments, referral report: supervisors and managers."""
    return _superuser(user) or _role(user) in LEAD_ROLES


def can_work_save_desk(user: Any) -> bool:
    """The retention queue and detractor call-backs: the care center's people."""
    return _superuser(user) or _role(user) in CENTER_ROLES


def can_approve_rewards(user: Any) -> bool:
    """Approve and pay referral rewards: managers and admins."""
    return _superuser(user) or _role(user) in {Role.MANAGER, Role.ADMIN}


# --------------------------------------------------------------------------- reports


def can_view_wallboard(user: Any) -> bool:
    """The live wallboard: shift leads and managers."""
    return can_supervise(user)


def can_view_reports(user: Any) -> bool:
    """Standard reports and their exports: managers, shift leads (read only), unit staff
    (their own units' rows, through org.selectors.visible_unit_ids)."""
    return _superuser(user) or _role(user) in LEAD_ROLES | {Role.UNIT_STAFF}


def can_manage_reports(user: Any) -> bool:
    """Subscriptions to scheduled reports: managers (and admins)."""
    return _superuser(user) or _role(user) in {Role.MANAGER, Role.ADMIN}


# --------------------------------------------------------------------------- personal data (privacy)

# The data-protection officer (Law 91/2025: the person in charge of personal data protection)
# handles data-subject requests and reads access logs; admins may stand in.
PRIVACY_OFFICER_ROLES = frozenset({Role.DPO, Role.ADMIN})


def is_dpo(user: Any) -> bool:
    return _role(user) == Role.DPO


def can_handle_privacy(user: Any) -> bool:
    """Data-subject requests (work, decide, export, erase), consents, customers' access logs,
    the breach access report: the data-protection officer (and admins)."""
    return _superuser(user) or _role(user) in PRIVACY_OFFICER_ROLES


def can_file_privacy_request(user: Any) -> bool:
    """File a request on a customer's behalf, record a consent answer from the customer card:
    the care center's people, and the officer."""
    return can_handle_privacy(user) or is_center_staff(user)


# --------------------------------------------------------------------------- sign-in, tokens

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# API paths (below the API root) a "telephony" token may call: the PBX's call events only.
TELEPHONY_TOKEN_PATHS = ("telephony/events",)
# API path prefix (below the API root) a "webhooks" token may call: outgoing webhook management.
WEBHOOKS_TOKEN_PREFIX = "webhooks"
# Roles that must confirm a second factor (TOTP) after the password.
TWO_FACTOR_REQUIRED_ROLES = frozenset({Role.ADMIN, Role.MANAGER})


def can_use_web(user: Any) -> bool:
    """Integration accounts (the PBX, CRM connectors) talk to the API with a token only: they
    cannot sign in to the web pages or the admin."""
    return not is_integration(user)


def token_allows(scopes: frozenset[str] | set[str], method: str, api_path: str) -> bool:
    """May a token with these scopes call this API operation (path below the API root)?
    The user's role still decides on top of this (a read+write agent token cannot do what the
    agent cannot)."""
    if "write" in scopes:
        return True
    if "read" in scopes and method.upper() in SAFE_METHODS:
        return True
    if "telephony" in scopes and api_path.strip("/") in TELEPHONY_TOKEN_PATHS:
        return True
    if "webhooks" in scopes and api_path.strip("/").split("/")[0] == WEBHOOKS_TOKEN_PREFIX:
        return True
    return False


def requires_two_factor(user: Any) -> bool:
    """Admins (and superusers) and managers must use TOTP; other staff may enrol
    (``CSKH_2FA_ENFORCED=0`` lifts the requirement, for development)."""
    from django.conf import settings

    if not settings.CSKH_2FA_ENFORCED:
        return False
    return _superuser(user) or _role(user) in TWO_FACTOR_REQUIRED_ROLES


def may_enrol_two_factor(user: Any) -> bool:
    """Every person with a web login (not integration accounts)."""
    return bool(getattr(user, "is_authenticated", False)) and can_use_web(user)


def has_second_factor(user: Any) -> bool:
    """The user has a confirmed TOTP device (django-otp)."""
    from django_otp import user_has_device

    return bool(getattr(user, "pk", None)) and user_has_device(user, confirmed=True)


def is_otp_verified(user: Any) -> bool:
    """This session confirmed a second factor (django-otp's OTPMiddleware sets it)."""
    verified = getattr(user, "is_verified", None)
    return bool(verified is not None and verified())


def needs_otp_step(user: Any) -> bool:
    """A signed-in session that has not confirmed its second factor yet, although the user has
    one or the role requires one (django-otp's OTPMiddleware sets ``is_verified``)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_otp_verified(user):
        return False
    return requires_two_factor(user) or has_second_factor(user)


# --------------------------------------------------------------------------- social listening


def can_ingest_social(user: Any) -> bool:
    """Push mentions (listening vendors, import jobs): integrations and the center's leads."""
    return _superuser(user) or _role(user) in (LEAD_ROLES | {Role.INTEGRATION})


def can_work_social(user: Any) -> bool:
    """The social queue: read mentions, draft public replies, link customers."""
    return _superuser(user) or _role(user) in CENTER_ROLES


def can_approve_social_reply(user: Any) -> bool:
    """Approve a public reply on a high-reach post; see the crisis alerts and dashboard."""
    return can_supervise(user)


# --------------------------------------------------------------------------- counters (quầy)

# Who sees every transaction office's figures (counter staff: their own offices').
COUNTER_FIGURE_ROLES = LEAD_ROLES


def is_counter_staff(user: Any) -> bool:
    return _role(user) == Role.COUNTER_STAFF and not _superuser(user)


def can_use_counters(user: Any) -> bool:
    """The counter pages at all: counter staff, managers and admins."""
    return _superuser(user) or _role(user) in {Role.COUNTER_STAFF, Role.MANAGER, Role.ADMIN}


def can_operate_office(user: Any, office: Any) -> bool:
    """Call, serve and log tickets at an office's counters: counter staff of the office's unit
    (or a parent unit), managers and admins. Anyone else gets 404 for that office."""
    if not can_use_counters(user):
        return False
    units = visible_unit_ids(user)
    return units is None or office.unit_id in units


def can_view_counter_figures(user: Any, office: Any = None) -> bool:
    """Tickets, waiting and service times: supervisors for every office, counter staff for
    their own."""
    if _superuser(user) or _role(user) in COUNTER_FIGURE_ROLES:
        return True
    if not is_counter_staff(user):
        return False
    return office is None or can_operate_office(user, office)


# --------------------------------------------------------------------------- training, coaching
# Agents see their own training and coaching records; shift leads those of the people in their
# unit and the units below it (their teams); managers and admins everyone's.
TRAINING_ALL_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def supervised_unit_ids(user: Any) -> set[int] | None:
    """The units whose people this user supervises for QA and training: None means every
    unit (managers, admins), an empty set nobody (agents and everyone else)."""
    if _superuser(user) or _role(user) in TRAINING_ALL_ROLES:
        return None
    if not is_shift_lead(user) or not getattr(user, "unit_id", None):
        return set()
    from cskh.org.models import Unit

    ids = {user.unit_id}
    frontier = [user.unit_id]
    while frontier:
        children = Unit.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
        frontier = [c for c in children if c not in ids]
        ids.update(frontier)
    return ids


def can_manage_training(user: Any) -> bool:
    """Mark knowledge changes mandatory, send reminders, build learning paths and assign
    them, record coaching sessions: shift leads and above."""
    return can_supervise(user)


def can_take_training(user: Any) -> bool:
    """Read and confirm mandatory changes, take learning paths: the care center's people."""
    return is_center_staff(user)


def can_view_person_record(user: Any, person: Any) -> bool:
    """QA figures, training results and coaching of ``person``: their own, their lead's
    (person in the lead's units), a manager's. Anyone else: "not yours" (404)."""
    if getattr(user, "pk", None) is not None and user.pk == getattr(person, "pk", None):
        return True
    if not can_manage_training(user):
        return False
    units = supervised_unit_ids(user)
    return units is None or getattr(person, "unit_id", None) in units


def can_coach(user: Any, person: Any) -> bool:
    """Record a coaching session with ``person``, close its follow-up: a lead of theirs
    (never oneself)."""
    return (
        can_manage_training(user)
        and getattr(user, "pk", None) != getattr(person, "pk", None)
        and can_view_person_record(user, person)
    )
