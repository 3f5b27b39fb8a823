"""An unknown caller becomes known: the interaction gets its customer once, with an audit row."""


def test_unknown_caller_is_identified_once_and_audited(world, customer, agent):
    from cskh.cases.models import Interaction
    from cskh.cases.services import record_interaction, set_interaction_customer
    from cskh.core.models import AuditLog
    from cskh.customers.services import create_customer

    call = record_interaction(from_address="+84909000111", agent=agent)
    assert set_interaction_customer(interaction=call, customer=customer, actor=agent)
    assert Interaction.objects.get(pk=call.pk).customer_id == customer.pk
    row = AuditLog.objects.filter(action="interaction.identify", object_id=str(call.pk)).get()
    assert row.actor == agent and row.changes == {"customer": customer.pk}

    other = create_customer(full_name="Trần Thị Bình", phones=["0909000111"])
    stale = Interaction.objects.get(pk=call.pk)
    stale.customer_id = None  # a second, late identification must not overwrite the first
    assert not set_interaction_customer(interaction=stale, customer=other, actor=agent)
    assert Interaction.objects.get(pk=call.pk).customer_id == customer.pk
