"""The web UI and REST API of the cohorts models (programs, cohorts, calls, questions, criteria, applications,
reviewer assignments, members, office hours), from the generic mixins (tests/mixins.py). Applications are
made on the call's apply page (tests/test_hubs_cohorts.py), so their generic tests leave out create."""

from __future__ import annotations

import pytest
from factories import make_org, make_user
from hubs_cohorts_factories import (
    make_application,
    make_applications,
    make_block,
    make_blocks,
    make_call,
    make_calls,
    make_cohort,
    make_cohorts,
    make_criteria,
    make_criterion,
    make_members,
    make_program,
    make_programs,
    make_question,
    make_questions,
    make_reviews,
)
from hubs_factories import make_site, make_space, open_day
from mixins import APITestCases, ViewTestCases

from khooshe.core import jalali
from khooshe.hubs.cohorts import models as cm

pytestmark = pytest.mark.filterwarnings("ignore")


def jalali_input(day):
    return jalali.format_date_input(day, "fa")


class ProgramCase:
    model = cm.HubProgram
    bulk_objects = make_programs

    def search_term(self, obj):
        return obj.name

    def filter_cases(self, objects):
        return [({"kind": "acceleration"}, [o for o in objects if o.kind == "acceleration"]),
                ({"site": objects[0].site_id, "visibility": "public"}, objects)]

    def make_private(self):
        return make_program(visibility="private")


class TestProgramViews(ProgramCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"site": make_site().pk, "name": "برنامه شتاب‌دهی پاییز", "kind": "corporate",
                "partner": make_org().pk, "description": "Run by a partner", "benefits": "Desks",
                "visibility": "public"}

    edit_data = {"name": "Renamed program"}

    def invalid_data(self):
        return ({"site": make_site().pk, "name": "x", "kind": "corporate", "visibility": "public"}, "partner")

    def related_records(self, obj):
        make_cohort(program=obj)
        make_cohort()


class TestProgramAPI(ProgramCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"site": make_site().pk, "name": "Incubation", "kind": "incubation"}

    api_update_data = {"name": "Patched"}

    def api_invalid_data(self):
        return ({"site": make_site().pk, "name": "x", "kind": "corporate"}, "partner")


class CohortCase:
    model = cm.Cohort
    bulk_objects = make_cohorts

    def search_term(self, obj):
        return obj.name

    def filter_cases(self, objects):
        return [({"program": objects[0].program_id, "status": "running"},
                 [o for o in objects if o.status == "running"])]

    def make_private(self):
        return make_cohort(program=make_program(visibility="private"))


class TestCohortViews(CohortCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"program": make_program().pk, "name": "دوره بهار", "start_date": "1405/01/15",
                "end_date": "1405/04/15", "capacity": "12", "status": "planned"}

    edit_data = {"name": "دوره تابستان"}

    def invalid_data(self):
        return ({"program": make_program().pk, "name": "x", "start_date": "1405/04/15", "end_date": "1405/01/15",
                 "capacity": "3", "status": "planned"}, "end_date")

    def related_records(self, obj):
        make_call(cohort=obj)
        make_call()


class TestCohortAPI(CohortCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"program": make_program().pk, "name": "Spring", "capacity": 8}

    api_update_data = {"capacity": 20}

    def api_invalid_data(self):
        return ({"program": make_program().pk, "name": "x", "capacity": 0}, "capacity")


class CallCase:
    model = cm.CohortCall
    bulk_objects = make_calls

    def filter_cases(self, objects):
        return [({"cohort": objects[0].cohort_id}, objects)]

    def make_private(self):
        return private_call()


class TestCallViews(CallCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"cohort": make_cohort().pk, "title": "فراخوان جذب", "description": "Apply now",
                "opens_on": "1405/01/01", "closes_on": "1405/02/01"}

    edit_data = {"title": "فراخوان دوم"}

    def invalid_data(self):
        return ({"cohort": make_cohort().pk, "title": "x", "opens_on": "1405/02/01", "closes_on": "1405/01/01"},
                "closes_on")

    def related_records(self, obj):
        make_question(call=obj)
        make_question()


class TestCallAPI(CallCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"cohort": make_cohort().pk, "title": "Call", "opens_on": "2026-03-01", "closes_on": "2026-04-01"}

    api_update_data = {"title": "Patched"}

    def api_invalid_data(self):
        return ({"cohort": make_cohort().pk, "title": "x", "opens_on": "2026-04-01", "closes_on": "2026-03-01"},
                "closes_on")


def private_call():
    return make_call(cohort=make_cohort(program=make_program(visibility="private")))


class QuestionCase:
    model = cm.CallQuestion
    bulk_objects = make_questions

    def make_private(self):
        return make_question(call=private_call())

    def search_term(self, obj):
        return obj.label

    def filter_cases(self, objects):
        return [({"call": objects[0].call_id, "kind": "number"}, [o for o in objects if o.kind == "number"])]


class TestQuestionViews(QuestionCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"call": make_call().pk, "order": "1", "label": "مرحله محصول", "kind": "choice", "required": "on",
                "choices": "ایده\nنمونه اولیه"}

    edit_data = {"label": "Stage of the product"}

    def invalid_data(self):
        return ({"call": make_call().pk, "order": "1", "label": "x", "kind": "choice", "choices": "one"}, "choices")


class TestQuestionAPI(QuestionCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"call": make_call().pk, "label": "Team size", "kind": "number"}

    api_update_data = {"required": False}

    def api_invalid_data(self):
        return ({"call": make_call().pk, "label": "x", "kind": "choice", "choices": "one"}, "choices")


class CriterionCase:
    model = cm.CallCriterion
    bulk_objects = make_criteria

    def make_private(self):
        return make_criterion(call=private_call())

    def search_term(self, obj):
        return obj.name

    def filter_cases(self, objects):
        return [({"call": objects[0].call_id}, objects)]


class TestCriterionViews(CriterionCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"call": make_call().pk, "name": "تیم", "weight": "3"}

    edit_data = {"weight": "2.5"}

    def invalid_data(self):
        return ({"call": make_call().pk, "name": "x", "weight": "0"}, "weight")


class TestCriterionAPI(CriterionCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"call": make_call().pk, "name": "Market", "weight": "2.00"}

    api_update_data = {"weight": "4.00"}

    def api_invalid_data(self):
        return ({"call": make_call().pk, "name": "x", "weight": "0"}, "weight")


class ApplicationCase:
    model = cm.CohortApplication
    bulk_objects = make_applications
    anonymous_sees_objects = False

    def search_term(self, obj):
        return obj.team_name

    def filter_cases(self, objects):
        return [({"call": objects[0].call_id, "status": "submitted"}, [o for o in objects if o.status == "submitted"]),
                ({"organization": objects[1].organization_id}, [objects[1]])]


class TestApplicationViews(ApplicationCase, ViewTestCases.ListObjectsViewTestCase,
                           ViewTestCases.GetObjectViewTestCase, ViewTestCases.EditObjectViewTestCase,
                           ViewTestCases.DeleteObjectViewTestCase, ViewTestCases.BulkDeleteObjectsViewTestCase,
                           ViewTestCases.BulkExportObjectsViewTestCase):
    edit_data = {"decision_note": "Edited note"}

    def export_marker(self, obj):
        return obj.team_name


class TestApplicationAPI(ApplicationCase, APITestCases.ListAPITestCase, APITestCases.RetrieveAPITestCase):
    pass


class ReviewCase:
    model = cm.ApplicationReview
    bulk_objects = make_reviews
    anonymous_sees_objects = False

    def search_term(self, obj):
        return obj.comment

    def filter_cases(self, objects):
        return [({"application": objects[0].application_id}, objects),
                ({"reviewer": objects[1].reviewer_id}, [objects[1]])]


class TestReviewViews(ReviewCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):  # the reviewer is typed by username or id
        return {"application": make_application().pk, "reviewer": make_user().pk}

    def edit_data(self):
        return {"reviewer": make_user().pk}

    def invalid_data(self):
        application = make_application()
        return ({"application": application.pk, "reviewer": application.applicant.username}, "reviewer")

    def export_marker(self, obj):
        return str(obj.reviewer)


def test_a_reviewer_is_assigned_by_username(admin_client):
    application = make_application()
    reviewer = make_user()
    response = admin_client.post("/hubs/application-reviews/add/", {"application": application.pk,
                                                                     "reviewer": reviewer.username})
    assert response.status_code == 302
    assert cm.ApplicationReview.objects.filter(application=application, reviewer=reviewer).exists()


class TestReviewAPI(ReviewCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"application": make_application().pk, "reviewer": make_user().pk}

    def api_update_data(self):
        return {"reviewer": make_user().pk}

    def api_invalid_data(self):
        application = make_application()
        return ({"application": application.pk, "reviewer": application.applicant.pk}, "reviewer")


class MemberCase:
    model = cm.CohortMember
    bulk_objects = make_members

    def search_term(self, obj):
        return obj.team_name

    def filter_cases(self, objects):
        return [({"cohort": objects[0].cohort_id}, objects)]

    def make_private(self):
        return cm.CohortMember.objects.create(cohort=make_cohort(program=make_program(visibility="private")),
                                              team_name="Hidden team")


class TestMemberViews(MemberCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"cohort": make_cohort().pk, "organization": make_org().pk, "joined_on": "1405/01/20"}

    edit_data = {"team_name": "تیم زعفران"}

    def export_marker(self, obj):
        return obj.team_name

    def invalid_data(self):
        return ({"cohort": make_cohort().pk, "joined_on": "1405/01/20"}, "organization")


class TestMemberAPI(MemberCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"cohort": make_cohort().pk, "team_name": "Team", "joined_on": "2026-04-01"}

    api_update_data = {"team_name": "Patched"}

    def api_invalid_data(self):
        return ({"cohort": make_cohort().pk, "joined_on": "2026-04-01"}, "organization")


class BlockCase:
    model = cm.OfficeHourBlock
    bulk_objects = make_blocks

    def make_private(self):
        return make_block(cohort=make_cohort(program=make_program(visibility="private")))

    def search_term(self, obj):
        return obj.topic

    def filter_cases(self, objects):
        return [({"cohort": objects[0].cohort_id, "mentor": objects[0].mentor_id}, objects),
                ({"space": objects[1].space_id}, [objects[1]])]


def block_data(time_from="10:00:00", time_to="12:00:00"):
    cohort = make_cohort()
    space = make_space(site=cohort.program.site)
    return {"cohort": cohort.pk, "mentor": make_user().pk, "space": space.pk,
            "date": jalali_input(open_day(cohort.program.site)), "start_time": time_from, "end_time": time_to,
            "slot_minutes": "30", "topic": "Fundraising"}


class TestBlockViews(BlockCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return block_data()

    edit_data = {"topic": "Pricing"}

    def export_marker(self, obj):
        return obj.topic

    def invalid_data(self):
        return (block_data("12:00:00", "10:00:00"), "end_time")


class TestBlockAPI(BlockCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        cohort = make_cohort()
        return {"cohort": cohort.pk, "mentor": make_user().pk, "space": make_space(site=cohort.program.site).pk,
                "date": open_day(cohort.program.site).isoformat(), "start_time": "10:00:00", "end_time": "11:00:00"}

    api_update_data = {"topic": "Patched"}

    def api_invalid_data(self):
        data = self.api_create_data()
        return ({**data, "end_time": "09:00:00"}, "end_time")


def test_every_registered_cohorts_model_has_its_tests():
    from khooshe.core.generic import configs_for_app

    classes = [c for c in globals().values() if isinstance(c, type) and c.__name__.startswith("Test")]
    ours = {c.model for c in configs_for_app("hubs") if c.model.__module__ == cm.__name__}
    assert len(ours) == 9
    assert ours <= {c.model for c in classes if issubclass(c, ViewTestCases.ListObjectsViewTestCase)}
    assert ours <= {c.model for c in classes if issubclass(c, APITestCases.ListAPITestCase)}
