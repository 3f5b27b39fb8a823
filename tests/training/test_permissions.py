"""Who sees whose training and coaching (org.permissions)."""

import pytest

from cskh.org import permissions

pytestmark = pytest.mark.django_db


def test_matrix(teams, unit_staff):
    t = teams
    see = permissions.can_view_person_record
    coach = permissions.can_coach
    expected = {
        # viewer: (agent, a1 (team 1 under the center), a2 (team 2))
        "agent": (True, False, False),
        "a1": (False, True, False),
        "lead": (True, True, False),
        "lead2": (False, False, True),
        "manager": (True, True, True),
    }
    for viewer, row in expected.items():
        got = tuple(see(t[viewer], t[p]) for p in ("agent", "a1", "a2"))
        assert got == row, viewer
    assert not see(unit_staff, t["agent"])
    assert coach(t["lead"], t["a1"]) and not coach(t["lead"], t["lead"])
    assert not coach(t["agent"], t["agent"]) and not coach(t["lead2"], t["a1"])
    assert coach(t["manager"], t["a2"])
    assert permissions.supervised_unit_ids(t["manager"]) is None
    assert permissions.supervised_unit_ids(t["lead"]) == {t["center"].pk, t["t1"].pk}
    assert permissions.supervised_unit_ids(t["agent"]) == set()
    assert permissions.can_take_training(t["agent"]) and not permissions.can_take_training(
        unit_staff
    )
    assert permissions.can_manage_training(t["lead"]) and not permissions.can_manage_training(
        t["agent"]
    )
