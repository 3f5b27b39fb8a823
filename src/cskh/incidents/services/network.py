"""The electrical/telecom network (feeders, transformers) used to resolve incident scopes."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Min

from cskh.core import dbstats
from cskh.customers.models import ServicePoint
from cskh.incidents.models import Feeder, Transformer
from cskh.org.selectors import unit_for_ward


@transaction.atomic
def ensure_network_entries(
    *, feeders: Iterable[dict[str, Any]] = (), transformers: Iterable[dict[str, Any]] = ()
) -> dict[str, Any]:
    """Idempotent upsert of the network for scope resolution and the public schedule.

    feeders: [{"code", "name"?, "ward_id"?, "unit_id"?}]
    transformers: [{"code", "feeder_code"?, "name"?, "ward_id"?}]
    Existing codes are left as they are. Returns counts of rows given. Without arguments, the
    network is read from the service points (feeder → transformer, with their ward).
    """
    if not feeders and not transformers:
        feeders, transformers = _network_from_service_points()
    f_rows = [
        Feeder(
            code=str(f["code"])[:32],
            name=f.get("name", "")[:200],
            ward_id=f.get("ward_id"),
            unit_id=f.get("unit_id"),
        )
        for f in feeders
    ]
    t_rows = [
        Transformer(
            code=str(t["code"])[:32],
            name=t.get("name", "")[:200],
            feeder_code=str(t.get("feeder_code", ""))[:32],
            ward_id=t.get("ward_id"),
        )
        for t in transformers
    ]
    Feeder.objects.bulk_create(f_rows, ignore_conflicts=True, batch_size=1000)
    Transformer.objects.bulk_create(t_rows, ignore_conflicts=True, batch_size=1000)
    dbstats.analyze([Feeder, Transformer], rows=len(f_rows) + len(t_rows))
    return {"feeders": len(f_rows), "transformers": len(t_rows)}


def _network_from_service_points() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows = (
        ServicePoint.objects.exclude(transformer_code="")
        .values("transformer_code", "feeder_code")
        .annotate(first_ward_id=Min("ward_id"))
    )
    transformers: list[dict[str, Any]] = []
    feeder_ward: dict[str, int | None] = {}
    for r in rows:
        transformers.append(
            {
                "code": r["transformer_code"],
                "feeder_code": r["feeder_code"],
                "ward_id": r["first_ward_id"],
            }
        )
        if r["feeder_code"]:
            feeder_ward.setdefault(r["feeder_code"], r["first_ward_id"])
    units: dict[int | None, int | None] = {}
    feeders = []
    for code, ward_id in feeder_ward.items():
        if ward_id not in units:
            unit = unit_for_ward(ward_id) if ward_id else None
            units[ward_id] = unit.pk if unit else None
        feeders.append({"code": code, "ward_id": ward_id, "unit_id": units[ward_id]})
    return feeders, transformers
