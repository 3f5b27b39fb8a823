"""The resolver lands >= 95% of a generated set of old- and new-form addresses on the right
current ward (bench/bench_address.py prints the figure and the timing)."""

import pytest

from cskh.geo import evalset
from cskh.geo.selectors import resolve_address, wards_by_code

pytestmark = pytest.mark.django_db


def test_generated_set_is_broad():
    samples = evalset.generate(400)
    assert len(samples) == 400
    wards = wards_by_code()
    provinces = {wards[s.expected[0]].province_id for s in samples}
    assert {79, 1, 48} <= provinces and len(provinces) >= 7
    assert {s.form for s in samples} == {"old", "new"}
    assert {s.style for s in samples} == {"full", "plain", "abbr"}
    assert sum(s.numbered for s in samples) >= 40
    assert sum(s.expects_choice for s in samples) >= 10
    assert evalset.generate(400) == samples  # fixed seed


def test_at_least_95_percent_land_on_the_right_ward():
    samples = evalset.generate(400)
    right = [s for s in samples if s.is_right(resolve_address(s.text))]
    assert len(right) / len(samples) >= 0.95
