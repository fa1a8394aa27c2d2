"""The web UI and REST API of the matchmaking-day models, from the generic mixins (tests/mixins.py)."""

from __future__ import annotations

import pytest
from factories import make_org
from meetings_factories import (
    make_day,
    make_days,
    make_meeting_requests,
    make_meetings,
    make_participant,
    make_participants,
)
from mixins import APITestCases, ViewTestCases

from khooshe.matching import models as mm


class DayCase:
    model = mm.MatchmakingDay
    bulk_objects = make_days

    def search_term(self, obj):
        return obj.title

    def filter_cases(self, objects):
        return [({"status": "closed", "organiser": objects[2].organiser_id}, [objects[2]]),
                ({"organiser": objects[0].organiser_id}, [objects[0]]),
                ({"q": objects[1].title}, [objects[1]])]

    def make_private(self):
        return make_day(status=mm.MatchmakingDay.Status.DRAFT, title="روز پیش‌نویس")


class TestMatchmakingDayViews(DayCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"organiser": make_org().pk, "title": "روز ملاقات نو", "date": "1405/02/10", "start_time": "09:00:00",
                "slot_minutes": "20", "slot_count": "10", "tables": "8", "max_meetings": "5",
                "conflict_relation_types": ["partnership"]}

    edit_data = {"title": "عنوان تازه"}

    def invalid_data(self):
        return ({"organiser": make_org().pk, "title": "x", "date": "1405/02/10", "start_time": "22:00",
                 "slot_minutes": "60", "slot_count": "12", "tables": "8", "max_meetings": "5"}, "slot_count")


class TestMatchmakingDayAPI(DayCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"organiser": make_org().pk, "title": "از راه API", "date": "2026-05-01", "slot_count": 6,
                "tables": 4}

    api_update_data = {"title": "Patched"}

    def api_invalid_data(self):
        return ({"organiser": make_org().pk, "title": "x", "date": "2026-05-01",
                 "conflict_relation_types": ["friendship"]}, "conflict_relation_types")


class ParticipantCase:
    model = mm.Participant
    bulk_objects = make_participants

    def search_term(self, obj):
        return obj.organization.name_fa

    def filter_cases(self, objects):
        return [({"day": objects[1].day_id}, [objects[1]]),
                ({"organization": objects[2].organization_id}, [objects[2]]),
                ({"role": "seeker", "day": objects[0].day_id}, [objects[0]])]

    def make_private(self):
        return make_participant(day=make_day(status=mm.MatchmakingDay.Status.DRAFT))


class TestParticipantViews(ParticipantCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"day": make_day().pk, "organization": make_org().pk, "role": "solver", "max_meetings": "2"}

    edit_data = {"interests": "تصفیه آب"}

    def invalid_data(self):
        return ({"day": make_day(slot_count=4).pk, "organization": make_org().pk, "role": "solver",
                 "available_slots": "2, 9"}, "available_slots")


class TestParticipantAPI(ParticipantCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"day": make_day().pk, "organization": make_org().pk, "role": "both", "available_slots": [1, 2]}

    api_update_data = {"interests": "Patched"}

    def api_invalid_data(self):
        return ({"day": make_day(slot_count=4).pk, "organization": make_org().pk, "role": "solver",
                 "available_slots": [0]}, "available_slots")


class MeetingRequestCase:
    model = mm.MeetingRequest
    bulk_objects = make_meeting_requests
    anonymous_sees_objects = False

    def search_term(self, obj):
        return obj.message

    def filter_cases(self, objects):
        return [({"day": objects[1].day_id}, [objects[1]]),
                ({"requester": objects[2].requester_id}, [objects[2]]),
                ({"status": "pending", "day": objects[0].day_id}, [objects[0]])]


class TestMeetingRequestViews(MeetingRequestCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        a = make_participant()
        b = make_participant(day=a.day)
        return {"requester": a.pk, "recipient": b.pk, "priority": "1", "message": "گفت‌وگو درباره پساب"}

    edit_data = {"message": "پیام تازه"}

    def invalid_data(self):
        a = make_participant()
        return ({"requester": a.pk, "recipient": a.pk, "priority": "2"}, "recipient")


class TestMeetingRequestAPI(MeetingRequestCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        a = make_participant()
        return {"requester": a.pk, "recipient": make_participant(day=a.day).pk, "message": "از راه API"}

    api_update_data = {"message": "Patched"}

    def api_invalid_data(self):
        a = make_participant()
        return ({"requester": a.pk, "recipient": make_participant().pk}, "recipient")


class MeetingCase:
    model = mm.Meeting
    bulk_objects = make_meetings
    anonymous_sees_objects = False

    def search_term(self, obj):
        return obj.participant_a.organization.name_fa

    def filter_cases(self, objects):
        return [({"day": objects[1].day_id}, [objects[1]]),
                ({"participant": objects[2].participant_b_id}, [objects[2]]),
                ({"status": "proposed", "day": objects[0].day_id}, [objects[0]])]


class TestMeetingViews(MeetingCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        day = make_day(slot_count=4, tables=2)
        return {"day": day.pk, "slot": "2", "table": "1", "participant_a": make_participant(day=day).pk,
                "participant_b": make_participant(day=day).pk, "status": "confirmed"}

    edit_data = {"table": "2"}

    def invalid_data(self):
        day = make_day(slot_count=4, tables=2)
        return ({"day": day.pk, "slot": "5", "table": "1", "participant_a": make_participant(day=day).pk,
                 "participant_b": make_participant(day=day).pk, "status": "confirmed"}, "slot")


class TestMeetingAPI(MeetingCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        day = make_day(slot_count=4, tables=2)
        return {"day": day.pk, "slot": 3, "table": 2, "participant_a": make_participant(day=day).pk,
                "participant_b": make_participant(day=day).pk}

    api_update_data = {"status": "confirmed"}

    def api_invalid_data(self):
        day = make_day(slot_count=4, tables=2)
        a = make_participant(day=day, available_slots=[1])
        return ({"day": day.pk, "slot": 2, "table": 1, "participant_a": a.pk,
                 "participant_b": make_participant(day=day).pk}, "participant_a")


def test_every_registered_meeting_model_has_its_tests():
    classes = [c for c in globals().values() if isinstance(c, type) and c.__name__.startswith("Test")]
    models = {mm.MatchmakingDay, mm.Participant, mm.MeetingRequest, mm.Meeting}
    assert models <= {c.model for c in classes if issubclass(c, ViewTestCases.PrimaryObjectViewTestCase)}
    assert models <= {c.model for c in classes if issubclass(c, APITestCases.StandardAPITestCase)}


pytestmark = pytest.mark.filterwarnings("ignore")
