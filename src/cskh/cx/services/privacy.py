"""Personal data in customer experience: erasure of one customer. Called by cskh.privacy."""

from __future__ import annotations

from django.db import transaction

from cskh.cx.models import (
    ChurnScore,
    ContractAttributes,
    FollowUp,
    Referral,
    RetentionEntry,
    Survey,
)


@transaction.atomic
def anonymise_customer(*, customer_id: int, case_ids: list[int]) -> dict[str, int]:
    """Scores, touchpoints, times and outcomes stay (CSAT/NPS rollups and the save desk's
    uplift are statistics); free-text comments and notes, the churn profile, contract
    attributes and the customer's details as someone's referral prospect go; surveys not sent
    yet are suppressed."""
    surveys = Survey.objects.filter(customer_id=customer_id)
    suppressed = surveys.filter(status=Survey.Status.SCHEDULED).update(
        status=Survey.Status.SUPPRESSED, suppress_reason="erased"
    )
    comments = surveys.exclude(comment="").update(comment="")
    notes = RetentionEntry.objects.filter(customer_id=customer_id).exclude(note="").update(note="")
    notes += FollowUp.objects.filter(case_id__in=case_ids).exclude(note="").update(note="")
    churn = ChurnScore.objects.filter(customer_id=customer_id).delete()[0]
    contract = ContractAttributes.objects.filter(customer_id=customer_id).delete()[0]
    prospects = Referral.objects.filter(referred_customer_id=customer_id).update(
        prospect_name="", prospect_phone="", prospect_address="", prospect_id_hash=""
    )
    return {
        "surveys_suppressed": suppressed,
        "comments": comments,
        "notes": notes,
        "churn_scores": churn,
        "contract_attributes": contract,
        "referral_prospects": prospects,
    }
