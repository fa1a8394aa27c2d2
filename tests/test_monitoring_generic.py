"""The web UI and REST API of the monitoring models, from the generic mixins (tests/mixins.py)."""

from __future__ import annotations

from factories import make_cluster
from mixins import APITestCases, ViewTestCases
from monitoring_factories import (
    make_indicator,
    make_indicators,
    make_items,
    make_period,
    make_periods,
    make_questionnaire,
    make_questionnaires,
    make_result,
    make_results,
    make_self_assessment,
    make_self_assessments,
)
from programs_factories import make_program

from khooshe.monitoring import models as mm


class ResultCase:
    model = mm.Result
    bulk_objects = make_results

    def filter_cases(self, objects):
        return [({"program": objects[0].program_id}, [objects[0]])]


class TestResultViews(ResultCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"program": make_program().pk, "level": "goal", "title_fa": "هدف نو", "position": "1"}

    edit_data = {"title_fa": "هدف ویرایش شده"}

    def invalid_data(self):
        return ({"program": make_program().pk, "level": "outcome", "title_fa": "پیامد", "position": "1"}, "parent")


class TestResultAPI(ResultCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"program": make_program().pk, "level": "goal", "title_fa": "از راه API"}

    api_update_data = {"title_en": "Patched"}

    def api_invalid_data(self):
        return ({"program": make_program().pk, "level": "output", "title_fa": "x"}, "parent")


class IndicatorCase:
    model = mm.Indicator
    bulk_objects = make_indicators

    def search_term(self, obj):
        return obj.name_fa

    def filter_cases(self, objects):
        return [({"program": objects[1].program_id}, [objects[1]])]


class TestIndicatorViews(IndicatorCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"program": make_program().pk, "code": "new_ind", "name_fa": "شاخص نو", "direction": "increase",
                "frequency": "quarterly", "method": "derived", "numerator": "active_members",
                "denominator": "members", "factor": "100", "disaggregations": ["region"]}

    edit_data = {"name_fa": "شاخص ویرایش شده"}

    def invalid_data(self):
        return ({"program": make_program().pk, "code": "bad", "name_fa": "x", "direction": "increase",
                 "frequency": "quarterly", "method": "derived", "numerator": "unknown_source", "factor": "1"},
                "numerator")


class TestIndicatorAPI(IndicatorCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"program": make_program().pk, "code": "api_ind", "name_fa": "از راه API", "method": "entered"}

    api_update_data = {"unit": "firms"}

    def api_invalid_data(self):
        return ({"program": make_program().pk, "code": "1bad", "name_fa": "x"}, "code")


class PeriodCase:
    model = mm.Period
    bulk_objects = make_periods

    def search_term(self, obj):
        return obj.indicator.code

    def filter_cases(self, objects):
        return [({"indicator": objects[2].indicator_id}, [objects[2]])]


class TestPeriodViews(PeriodCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"indicator": make_indicator().pk, "start_date": "1404/01/01", "end_date": "1404/03/31",
                "target": "12"}

    edit_data = {"target": "15"}

    def invalid_data(self):
        period = make_period()
        return ({"indicator": period.indicator_id, "start_date": "1404/01/10", "end_date": "1404/02/10"},
                "start_date")


class TestPeriodAPI(PeriodCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"indicator": make_indicator().pk, "start_date": "2025-03-21", "end_date": "2025-06-20", "target": "5"}

    api_update_data = {"target": "7.0000"}

    def api_invalid_data(self):
        return ({"indicator": make_indicator().pk, "start_date": "2025-06-21", "end_date": "2025-03-20"}, "end_date")


class QuestionnaireCase:
    model = mm.Questionnaire
    bulk_objects = make_questionnaires

    def search_term(self, obj):
        return obj.title_fa

    def filter_cases(self, objects):
        return [({"cluster": objects[0].cluster_id}, [objects[0]])]


class TestQuestionnaireViews(QuestionnaireCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"cluster": make_cluster().pk, "title_fa": "پرسش‌نامه نو", "survey_date": "1404/06/10",
                "status": "draft"}

    edit_data = {"title_fa": "پرسش‌نامه ویرایش شده"}

    def invalid_data(self):
        return ({"cluster": make_cluster().pk, "title_fa": "x", "status": "draft",
                 "program": make_program().pk, "survey_date": "1404/06/10"}, "program")


class TestQuestionnaireAPI(QuestionnaireCase, APITestCases.StandardAPITestCase):
    def api_create_data(self):
        return {"cluster": make_cluster().pk, "title_fa": "از راه API", "survey_date": "2025-09-01"}

    api_update_data = {"title_en": "Patched"}

    def api_invalid_data(self):
        return ({"cluster": make_cluster().pk, "title_fa": "x", "survey_date": "2025-09-01",
                 "program": make_program().pk}, "program")


class SelfAssessmentCase:
    model = mm.SelfAssessment
    bulk_objects = make_self_assessments

    def search_term(self, obj):
        return obj.cluster.name_fa

    def filter_cases(self, objects):
        return [({"cluster": objects[1].cluster_id}, [objects[1]])]


class TestSelfAssessmentViews(SelfAssessmentCase, ViewTestCases.PrimaryObjectViewTestCase):
    def create_data(self):
        return {"cluster": make_cluster().pk, "label": "bronze", "assessed_on": "1404/02/01"}

    edit_data = {"note": "یادداشت"}

    def invalid_data(self):
        return ({"cluster": make_cluster().pk, "label": "platinum", "assessed_on": "1404/02/01"}, "label")


class TestAssessmentItemViews(ViewTestCases.PrimaryObjectViewTestCase):
    model = mm.AssessmentItem
    bulk_objects = make_items

    def search_term(self, obj):
        return obj.indicator_fa

    def create_data(self):
        return {"assessment": make_self_assessment().pk, "area": "services", "position": "1",
                "indicator_fa": "خدمات نو", "weight": "2", "score": "60"}

    edit_data = {"score": "75"}

    def invalid_data(self):
        return ({"assessment": make_self_assessment().pk, "area": "services", "position": "1",
                 "indicator_fa": "x", "weight": "1", "score": "140"}, "score")


class TestResultViewsOfProgramIndicator:
    """A result's page lists its indicators."""

    def test_result_page_lists_indicators(self, client, django_user_model):
        from factories import make_user

        client.force_login(make_user(superuser=True))
        result = make_result()
        indicator = make_indicator(program=result.program, result=result, name_fa="شاخص این نتیجه")
        response = client.get(result.get_absolute_url())
        assert response.status_code == 200 and indicator.name_fa in response.content.decode()
        assert make_questionnaire().get_absolute_url()
