"""Outage news the customer asks for on the portal (incidents' own subscription service)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from cskh.core.errors import DomainError, NotFound
from cskh.customers import services as customer_services
from cskh.customers.models import Customer
from cskh.incidents import services as incidents
from cskh.portal import selectors

CHANNELS = ("sms", "zalo", "email")


@transaction.atomic
def subscribe(*, customer: Customer, incident_id: int, channel: str) -> bool:
    """Subscribe to an incident covering one of the customer's service points; the channel
    chosen becomes the customer's preferred one. Another area's incident: 404."""
    found = {i.pk: i for i in selectors.outages_for(customer)["all"]}
    incident = found.get(incident_id)
    if incident is None:
        raise NotFound(_("Không tìm thấy sự cố."))
    if channel not in CHANNELS:
        raise DomainError(_("Kênh nhận tin không hợp lệ."), code="bad_channel")
    if channel == "email" and not customer.email:
        raise DomainError(
            _("Hồ sơ của Quý khách chưa có email. Vui lòng chọn SMS hoặc Zalo."),
            code="no_email",
        )
    if customer.preferred_channel != channel:
        customer_services.update_customer(customer=customer, preferred_channel=channel)
    return incidents.subscribe(incident=incident, customer=customer, source="portal")
