"""Customer updates on case status changes (registered in settings.CSKH_HOOKS).

Runs inside the caller's transaction: the notification row commits with the state change.
"""

from cskh.cases.states import Status
from cskh.notify.services import case_context as _ctx
from cskh.notify.services import notify_customer


def case_opened(*, case, actor=None, **_):
    notify_customer(
        customer=case.customer,
        template="case_received",
        context=_ctx(case),
        case=case,
        dedupe_key=f"case:{case.pk}:received",
        new_key=True,  # the case was inserted by this transaction: no row can hold the key
    )


def case_transitioned(*, case, before, actor=None, **_):
    if case.status == Status.RESOLVED:
        notify_customer(
            customer=case.customer,
            template="case_resolved",
            context=_ctx(case),
            case=case,
            dedupe_key=f"case:{case.pk}:resolved:{case.reopen_count}",
        )
    elif case.status == Status.WAITING_CUSTOMER and before != Status.WAITING_CUSTOMER:
        from cskh.cases.models import CaseEvent

        question = (
            CaseEvent.objects.filter(case=case, kind="status")
            .order_by("-id")
            .values_list("body", flat=True)
            .first()
        )
        n = CaseEvent.objects.filter(case=case, kind="status", data__to=Status.WAITING_CUSTOMER)
        notify_customer(
            customer=case.customer,
            template="need_info",
            context={**_ctx(case), "question": question or ""},
            case=case,
            dedupe_key=f"case:{case.pk}:need_info:{n.count()}",
        )
