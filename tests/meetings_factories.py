"""Record makers for the matchmaking-day tests (see factories.py and matching_factories.py)."""

from __future__ import annotations

import datetime as dt

from factories import make_org, seq
from matching_factories import make_challenge

from khooshe.matching import models as mm


def make_day(organiser=None, **kw) -> mm.MatchmakingDay:
    n = seq()
    defaults = {"organiser": organiser or make_org(), "title": f"روز ملاقات صنعت آب {n}",
                "date": dt.date(2026, 5, 1) + dt.timedelta(days=n % 200), "venue": f"سالن {n}",
                "slot_count": 4 + n % 5, "tables": 2 + n % 7, "max_meetings": 3,
                "status": mm.MatchmakingDay.Status.PUBLISHED}
    defaults.update(kw)
    return mm.MatchmakingDay.objects.create(**defaults)


def make_days(n: int = 3) -> list[mm.MatchmakingDay]:
    statuses = ["published", "scheduled", "closed"]
    return [make_day(status=statuses[i % 3], tables=3 + i) for i in range(n)]


def make_participant(day=None, organization=None, **kw) -> mm.Participant:
    defaults = {"day": day or make_day(), "organization": organization or make_org(), "role": "solver"}
    defaults.update(kw)
    challenges = defaults.pop("challenges", None)
    conflicts = defaults.pop("conflicts", None)
    participant = mm.Participant.objects.create(**defaults)
    if challenges:
        participant.challenges.set(challenges)
    if conflicts:
        participant.conflicts.set(conflicts)
    return participant


def make_participants(n: int = 3) -> list[mm.Participant]:
    roles = ["seeker", "solver", "both"]
    return [make_participant(role=roles[i % 3], max_meetings=i + 1) for i in range(n)]


def make_seeker(day, **kw) -> mm.Participant:
    org = kw.pop("organization", None) or make_org()
    challenge = kw.pop("challenge", None) or make_challenge(owner=org)
    return make_participant(day=day, organization=org, role="seeker", challenges=[challenge], **kw)


def make_meeting_request(requester=None, recipient=None, **kw) -> mm.MeetingRequest:
    requester = requester or make_participant()
    recipient = recipient or make_participant(day=requester.day)
    defaults = {"day": requester.day, "requester": requester, "recipient": recipient,
                "message": f"درخواست گفت‌وگو {seq()}"}
    defaults.update(kw)
    return mm.MeetingRequest.objects.create(**defaults)


def make_meeting_requests(n: int = 3) -> list[mm.MeetingRequest]:
    statuses = ["pending", "accepted", "declined"]
    return [make_meeting_request(status=statuses[i % 3], priority=1 + i % 3) for i in range(n)]


def make_meeting(day=None, **kw) -> mm.Meeting:
    day = day or make_day(status=mm.MatchmakingDay.Status.SCHEDULED)
    defaults = {"day": day, "slot": 1, "table": 1, "score": 10.0}
    defaults.update(kw)
    if "participant_a" not in defaults:
        defaults["participant_a"] = make_participant(day=day)
    if "participant_b" not in defaults:
        defaults["participant_b"] = make_participant(day=day)
    return mm.Meeting.objects.create(**defaults)


def make_meetings(n: int = 3) -> list[mm.Meeting]:
    statuses = ["proposed", "confirmed", "cancelled"]
    return [make_meeting(slot=1 + i % 3, table=1 + (i * 2) % 3, score=float(10 * (i + 1)),
                         status=statuses[i % 3]) for i in range(n)]
