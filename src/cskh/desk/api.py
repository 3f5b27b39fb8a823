"""Desk API (/api/v1/desk): agent presence (e.g. from a softphone) and the team board."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema

from cskh.core.errors import Forbidden
from cskh.org import permissions
from cskh.telephony import selectors as tel_selectors
from cskh.telephony import services as tel_services
from cskh.telephony.models import Presence

router = Router(tags=["desk"])


class PresenceIn(Schema):
    state: str
    reason: str = ""  # with state "break": rest, meal, training, meeting, coaching, other


class PresenceOut(Schema):
    user: str
    state: str
    label: str
    since: datetime | None = None


def _out(user) -> dict:
    p = tel_selectors.presence_of(user)
    state = p.state if p else Presence.OFFLINE
    return {
        "user": user.username,
        "state": state,
        "label": tel_selectors.presence_label(p),
        "since": p.since if p else None,
    }


def _center(user) -> None:
    if not permissions.is_center_staff(user):
        raise Forbidden(_("Chỉ nhân viên trung tâm CSKH."))


@router.get("/presence", response=PresenceOut, summary="Trạng thái của tôi")
def my_presence(request):
    _center(request.auth)
    return _out(request.auth)


@router.post("/presence", response=PresenceOut, summary="Đổi trạng thái của tôi")
def set_presence(request, payload: PresenceIn):
    _center(request.auth)
    tel_services.set_presence(user=request.auth, state=payload.state, reason=payload.reason)
    return _out(request.auth)


@router.get("/team", response=list[PresenceOut], summary="Trạng thái tư vấn viên (trưởng ca)")
def team(request):
    user = request.auth
    if not permissions.can_supervise(user):
        raise Forbidden(_("Chỉ trưởng ca xem được trạng thái cả ca."))
    return [
        {
            "user": row["user"].username,
            "state": row["state"],
            "label": str(row["label"]),
            "since": row["since"],
        }
        for row in tel_selectors.team_presence()
    ]
