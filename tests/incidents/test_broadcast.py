"""cskh.notify.broadcast.pace: slices per channel, one slot apart, sized by the channel rate."""

from datetime import timedelta

from django.utils import timezone

from cskh.notify import broadcast


def test_pace_slices_each_channel_by_its_rate(settings):
    settings.CSKH_INCIDENT_NOTIFY_RATES = {"sms": 1, "email": 2}  # 5 and 10 per slot
    now = timezone.now()
    recipients = [(i, "sms") for i in range(12)] + [(100 + i, "email") for i in range(10)]
    recipients += [(200, "pigeon"), (0, "sms")]  # unknown channel → SMS; a duplicate counts once
    slices = broadcast.pace(recipients, now=now)
    by_channel: dict[str, list] = {}
    for s in slices:
        by_channel.setdefault(s.channel, []).append(s)
    assert [len(s.customer_ids) for s in by_channel["sms"]] == [5, 5, 3]
    assert [s.due_at - now for s in by_channel["sms"]] == [
        timedelta(seconds=k * broadcast.SLOT_SECONDS) for k in range(3)
    ]
    assert [len(s.customer_ids) for s in by_channel["email"]] == [10]
    assert 200 in {c for s in by_channel["sms"] for c in s.customer_ids}
    assert sum(len(s.customer_ids) for s in slices) == 23
