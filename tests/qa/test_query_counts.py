"""The review queue and "my reviews" cost the same queries for one review or twenty."""

import re
from datetime import date, timedelta

from cskh.qa.models import Review
from tests.querycounts import assert_one_and_many_cost_the_same, cache_without_sql


def _review(case, agent, scorecard, i: int, lead) -> None:
    from django.utils import timezone

    Review.objects.create(
        case=case,
        agent=agent,
        reviewer=lead,
        scorecard=scorecard,
        sample="random",
        week=date(2026, 1, 5) + timedelta(weeks=i),
        status="scored",
        score=90,
        created_at=timezone.now(),
        scored_at=timezone.now(),
    )


def test_queue_and_mine_pages_one_or_twenty(client, settings, world, lead, case, scorecard):
    cache_without_sql(settings)
    for path, user in [("/qa/reviews/", lead), ("/qa/mine/", world["agent"])]:
        Review.objects.all().delete()
        client.force_login(user)

        def fetch(path: str = path) -> int:
            r = client.get(path)
            assert r.status_code == 200
            return len(re.findall(r'href="/qa/reviews/\d+/"', r.content.decode()))

        assert_one_and_many_cost_the_same(
            fetch, lambda i: _review(case, world["agent"], scorecard, i, lead)
        )
