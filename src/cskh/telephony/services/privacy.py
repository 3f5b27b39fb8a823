"""Personal data in telephony: erasure of one customer (call events, missed-call tasks,
scheduled callbacks, wrap-up notes). Called by cskh.privacy."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from cskh.cases.models import Interaction
from cskh.telephony.models import CallbackTask, CallEvent, CallWrapUp, ScheduledCallback


@transaction.atomic
def anonymise_customer(*, customer_id: int, phones: Iterable[str]) -> dict[str, int]:
    """Numbers and notes go; times, outcomes, agents and counts stay (telephony statistics).
    ``phones``: the customer's numbers (E.164), read before the customers app removes them,
    so events of calls never matched to the customer are found too. Run before the cases
    app blanks the interactions' numbers."""
    phones = [p for p in phones if p]
    interaction_ids = list(
        Interaction.objects.filter(customer_id=customer_id).values_list("id", flat=True)
    )
    events = CallEvent.objects.filter(
        Q(interaction_id__in=interaction_ids) | Q(from_e164__in=phones)
    ).update(from_e164="")
    tasks = 0
    for task in CallbackTask.objects.filter(Q(customer_id=customer_id) | Q(from_e164__in=phones)):
        task.from_e164 = f"x{task.pk}"  # unique per day: a placeholder, not a number
        task.note = ""
        task.save(update_fields=["from_e164", "note"])
        tasks += 1
    callbacks = ScheduledCallback.objects.filter(customer_id=customer_id).update(phone="", note="")
    wrapups = (
        CallWrapUp.objects.filter(interaction_id__in=interaction_ids)
        .exclude(note="")
        .update(note="")
    )
    return {
        "call_events": events,
        "callback_tasks": tasks,
        "scheduled_callbacks": callbacks,
        "wrap_up_notes": wrapups,
    }
