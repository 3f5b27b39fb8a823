"""State changes started from the desk: they call the owning apps' services."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cskh.cases import services as case_services
from cskh.cases.models import Case, Interaction
from cskh.catalog.services import get_case_type
from cskh.core.errors import DomainError
from cskh.core.types import Actor
from cskh.customers.models import Customer
from cskh.org.models import User


@transaction.atomic
def log_case_from_call(
    *,
    actor: User,
    customer: Customer,
    type_code: str,
    description: str,
    priority: int | None = None,
    resolved_on_call: bool = False,
    reply: str = "",
    interaction: Interaction | None = None,
    channel: str = "phone",
    service_point_code: str = "",
) -> Case:
    """One-screen logging: the case, linked to the call, optionally resolved on the call
    (first-contact resolution, through open_case so that its hooks know it: no auto-dispatch)
    with the reply given to the customer as the resolution. ``service_point_code``: the
    meter/line the caller means (picked on the form when the customer has several; with
    exactly one, open_case takes it)."""
    if not type_code:
        raise DomainError(_("Chưa chọn loại yêu cầu."), code="missing_type")
    case_type = get_case_type(type_code)
    if interaction is not None and interaction.agent_id not in (None, actor.pk):
        interaction = None  # never attach a case to someone else's call
    reply = (reply or "").strip()
    service_point = None
    if service_point_code:
        service_point = customer.service_points.filter(code=service_point_code.strip()).first()
        if service_point is None:
            raise DomainError(
                _("Điểm dịch vụ không thuộc khách hàng này."), code="bad_service_point"
            )
    case = case_services.open_case(
        customer=customer,
        case_type=case_type,
        description=description,
        channel=channel,
        priority=priority,
        actor=actor,
        interaction=interaction,
        service_point=service_point,
        resolved_on_call=resolved_on_call,
        resolution=lambda case: render_vars(reply, case=case),
    )
    if interaction is not None and interaction.customer_id is None:
        case_services.set_interaction_customer(
            interaction=interaction, customer=case.customer, actor=actor
        )
    if reply and not resolved_on_call:
        case_services.add_note(
            case=case, body=render_vars(reply, case=case), public=True, actor=actor
        )
    return case


def render_vars(text: str, *, case: Case) -> str:
    """Variables known only once the case exists ({{so_vu_viec}}, {{han_xu_ly}})."""
    from django.utils import timezone

    due = timezone.localtime(case.due_at).strftime("%H:%M %d/%m/%Y") if case.due_at else ""
    return text.replace("{{so_vu_viec}}", case.number).replace("{{han_xu_ly}}", due)


@transaction.atomic
def quick_create_customer(
    *,
    actor: Actor,
    full_name: str,
    phone: str,
    address: str = "",
    ward_code: int | None = None,
    interaction: Interaction | None = None,
) -> Customer:
    """``ward_code`` is the agent's pick when the address fits several wards
    (``geo.address.WardChoiceNeeded``)."""
    from cskh.customers.services import create_customer

    customer = create_customer(
        full_name=full_name,
        phones=[phone] if phone else [],
        address=address,
        ward_code=ward_code,
        actor=actor,
    )
    if interaction is not None and interaction.customer_id is None:
        case_services.set_interaction_customer(
            interaction=interaction, customer=customer, actor=actor
        )
    return customer


def bulk_assign(*, actor: User, numbers: list[str], agent: User) -> tuple[int, list[str]]:
    """Assign each case (by number) the actor can see to ``agent``, one transaction per case
    (one closed case does not undo the others). Returns (assigned, numbers refused)."""
    from cskh.cases.selectors import visible_cases

    cases = {c.number: c for c in visible_cases(actor).filter(number__in=numbers)}
    done, failed = 0, []
    for number in numbers:
        case = cases.get(number)
        if case is None:
            failed.append(number)  # not visible to this lead: same as not existing
            continue
        try:
            case_services.assign(
                case=case, agent=agent, actor=actor, reason=str(_("Giao hàng loạt từ hàng đợi"))
            )
        except DomainError:
            failed.append(number)
            continue
        done += 1
    return done, failed
