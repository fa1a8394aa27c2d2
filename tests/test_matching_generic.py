"""The web UI and REST API of the matching models, from the generic mixins (tests/mixins.py)."""

from __future__ import annotations

import pytest
from factories import make_org
from matching_factories import (
    make_challenge,
    make_challenges,
    make_criteria,
    make_profile,
    make_profiles,
    make_proposals,
)
from mixins import APITestCases, ViewTestCases

from khooshe.matching import models as mm


class ChallengeCase:
    model = mm.Challenge
    bulk_objects = make_challenges

    def search_term(self, obj):
        return obj.title

    def filter_cases(self, objects):
        return [
            ({"status": "closed", "owner": objects[2].owner_id}, [objects[2]]),
            ({"owner": objects[0].owner_id}, [objects[0]]),
            ({"q": objects[1].title}, [objects[1]]),
        ]

    def make_private(self):
        return make_challenge(status=mm.Challenge.Status.DRAFT, title="چالش پیش‌نویس")


class TestChallengeViews(ChallengeCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"owner": make_org().pk, "title": "چالش نو", "problem_statement": "مسئله", "currency": "IRR",
                "budget_min": "10", "budget_max": "20", "deadline": "1405/02/01", "visibility": "public"}

    edit_data = {"title": "عنوان ویرایش شده"}

    def invalid_data(self):
        return ({"owner": make_org().pk, "title": "x", "currency": "IRR", "budget_min": "20", "budget_max": "10",
                 "visibility": "public"}, "budget_max")


class TestChallengeAPI(ChallengeCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"owner": make_org().pk, "title": "از راه API", "currency": "IRR", "deadline": "2026-05-01"}

    api_update_data = {"title": "Patched"}

    def api_invalid_data(self):
        return ({"owner": make_org().pk, "title": "x", "budget_min": 20, "budget_max": 10}, "budget_max")


class CriterionCase:
    model = mm.Criterion
    bulk_objects = make_criteria

    def search_term(self, obj):
        return obj.name

    def filter_cases(self, objects):
        return [({"challenge": objects[0].challenge_id}, [objects[0]])]


class TestCriterionViews(CriterionCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"challenge": make_challenge().pk, "name": "کیفیت فنی", "weight": "2.5"}

    edit_data = {"weight": "3"}

    def invalid_data(self):
        return ({"challenge": make_challenge().pk, "name": "x", "weight": "0"}, "weight")


class TestCriterionAPI(CriterionCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"challenge": make_challenge().pk, "name": "هزینه", "weight": "1.50"}

    api_update_data = {"weight": "4.00"}

    def api_invalid_data(self):
        return ({"challenge": make_challenge().pk, "name": "x", "weight": "-1"}, "weight")


class ProposalCase:
    model = mm.Proposal
    bulk_objects = make_proposals
    anonymous_sees_objects = False

    def search_term(self, obj):
        return obj.summary

    def filter_cases(self, objects):
        return [({"challenge": objects[1].challenge_id}, [objects[1]]),
                ({"solver": objects[2].solver_id}, [objects[2]])]


class TestProposalViews(ProposalCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"challenge": make_challenge().pk, "solver": make_org().pk, "summary": "راه‌حل ما",
                "price": "500", "duration_days": "30"}

    edit_data = {"summary": "راه‌حل بهتر"}

    def invalid_data(self):
        return ({"challenge": make_challenge(status=mm.Challenge.Status.CLOSED).pk, "solver": make_org().pk,
                 "summary": "x"}, "challenge")


class TestProposalAPI(ProposalCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"challenge": make_challenge().pk, "solver": make_org().pk, "summary": "از راه API"}

    api_update_data = {"summary": "Patched"}

    def api_invalid_data(self):
        challenge = make_challenge()
        return ({"challenge": challenge.pk, "solver": challenge.owner_id, "summary": "x"}, "solver")


class ProfileCase:
    model = mm.Profile
    bulk_objects = make_profiles

    def search_term(self, obj):
        return obj.title

    def filter_cases(self, objects):
        return [({"kind": "request", "q": objects[1].title}, [objects[1]]),
                ({"stage": "market", "q": objects[2].title}, [objects[2]])]

    def make_private(self):
        return make_profile(active=False, title="پروفایل غیرفعال")


class TestProfileViews(ProfileCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"kind": "offer", "owner": make_org().pk, "title": "فناوری نو", "summary": "خلاصه",
                "visibility": "public", "active": "on"}

    edit_data = {"title": "عنوان تازه"}
    invalid_data = ({"kind": "nonsense", "title": "x", "summary": "y", "visibility": "public"}, "kind")


class TestProfileAPI(ProfileCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"kind": "request", "owner": make_org().pk, "title": "از راه API", "summary": "خلاصه"}

    api_update_data = {"title": "Patched"}
    api_invalid_data = ({"kind": "nonsense", "title": "x", "summary": "y"}, "kind")


def test_every_registered_matching_model_has_its_tests():
    import test_matching_meetings_generic as meetings  # the matchmaking-day models are tested there

    from khooshe.core.generic import configs_for_app

    classes = [c for c in [*globals().values(), *vars(meetings).values()]
               if isinstance(c, type) and c.__name__.startswith("Test")]
    registered = {c.model for c in configs_for_app("matching")}
    assert registered <= {c.model for c in classes if issubclass(c, ViewTestCases.PrimaryObjectViewTestCase)}
    assert registered <= {c.model for c in classes if issubclass(c, APITestCases.StandardAPITestCase)}


pytestmark = pytest.mark.filterwarnings("ignore")
