"""Monitoring and evaluation as a CDA and a member organization use it: indicators, derived values, surveys,
the social-capital network, the self-assessment and the status report."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import networkx as nx
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from factories import make_agreement, make_relation, make_user
from mixins import page, visible_text
from monitoring_factories import (
    START,
    cluster_with_members,
    make_indicator,
    make_period,
)
from programs_factories import make_program, make_task

from khooshe.monitoring import models as mm
from khooshe.monitoring import selectors, services
from khooshe.monitoring.progress import progress_ratio, status_for
from khooshe.registry.models import Relation, RelationType

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _english(client, settings):
    """These tests read the English messages (the Persian ones are checked by tests/test_i18n.py and by
    the Persian pages below that say so)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def admin():
    user = make_user(superuser=True)
    user.language = "en"  # a logged-in user's saved language wins over the cookie (core.middleware)
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def cluster_net():
    """Five members: four SMEs and a university; ties a-b (2024), b-c (2024, ended 2025-06), a-u (2025-05)."""
    cluster, orgs = cluster_with_members(5, institutions=1)
    a, b, c, d, u = orgs
    make_relation(source=a, target=b, type=RelationType.PARTNERSHIP, strength=4, start_date=D(2024, 1, 1))
    make_relation(source=b, target=c, type=RelationType.SUPPLY, strength=2, start_date=D(2024, 2, 1),
                  end_date=D(2025, 6, 1))
    make_relation(source=a, target=u, type=RelationType.JOINT_PROJECT, strength=5, start_date=D(2025, 5, 1))
    return cluster, orgs


# -- network --------------------------------------------------------------------------------------------
def test_network_at_a_date_matches_networkx(cluster_net):
    cluster, (a, b, c, d, u) = cluster_net
    figures = selectors.network_figures(cluster, D(2025, 5, 15))
    G = nx.Graph()
    G.add_nodes_from(o.pk for o in (a, b, c, d, u))
    G.add_edges_from([(a.pk, b.pk), (b.pk, c.pk), (a.pk, u.pk)])
    assert figures["members"] == 5 and figures["ties"] == 3
    assert figures["density"] == pytest.approx(nx.density(G))
    assert figures["isolates"] == [d.pk]
    assert figures["ei_index"] == pytest.approx((1 - 2) / 3)  # one firm-university tie, two firm-firm ties


def test_network_change_between_two_dates(cluster_net):
    cluster, (a, b, c, d, u) = cluster_net
    change = selectors.network_change(cluster, D(2025, 1, 1), D(2025, 7, 1))
    assert change.new_ties == [tuple(sorted((a.pk, u.pk)))]
    assert change.lost_ties == [tuple(sorted((b.pk, c.pk)))]
    assert change.kept_ties == 1
    assert change.density_growth == pytest.approx(0.0)


def test_network_page_shows_figures_change_and_before_after_pictures(client, cluster_net):
    cluster, (a, b, c, d, u) = cluster_net
    with translation.override("en"):
        response = client.get(reverse("monitoring:network", args=[cluster.pk]),
                              {"date": "2025-07-01", "compare": "2025-01-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    text = visible_text(page(response))
    assert "New ties: 1" in text.replace("۱", "1") and "lost ties: 1" in text.replace("۱", "1")
    assert str(d) in text  # the member without ties is listed
    assert page(response).count("data-khooshe-network") == 2
    assert "?date=2025-07-01&amp;compare=2025-01-01" in page(response)  # the "after" picture marks the change
    graph = client.get(reverse("monitoring:network_graph", args=[cluster.pk]),
                       {"date": "2025-07-01", "compare": "2025-01-01"}).json()
    status = {e["data"]["id"]: e["data"]["classification"] for e in graph["edges"]}
    assert status[f"e{min(a.pk, u.pk)}-{max(a.pk, u.pk)}"] == "new"
    assert status[f"e{min(b.pk, c.pk)}-{max(b.pk, c.pk)}"] == "lost"
    assert status[f"e{min(a.pk, b.pk)}-{max(a.pk, b.pk)}"] == "kept"
    assert len(graph["nodes"]) == 5


def test_network_page_bad_date_is_a_clear_message(client, cluster_net):
    cluster, _ = cluster_net
    response = client.get(reverse("monitoring:network", args=[cluster.pk]), {"date": "yesterday"})
    assert response.status_code == 200
    assert "“yesterday” is not a date" in page(response) or "yesterday" in page(response)
    assert client.get(reverse("monitoring:network_graph", args=[cluster.pk]), {"date": "x"}).status_code == 400


# -- derived indicators ---------------------------------------------------------------------------------
def test_derived_indicators_compute_members_active_members_and_share(admin, cluster_net):
    cluster, (a, b, c, d, u) = cluster_net
    program = make_program(cluster=cluster, start_date=D(2025, 1, 1), end_date=D(2025, 12, 31))
    make_agreement(parties=[c, d], signed_on=D(2025, 2, 10))
    members = make_indicator(program=program, code="members", method="derived", numerator="members")
    active = make_indicator(program=program, code="active", method="derived", numerator="active_members")
    share = make_indicator(program=program, code="share", method="derived", numerator="active",
                           denominator="members", factor=Decimal(100))
    for ind in (members, active, share):
        services.create_periods(user=admin, indicator=ind, start=D(2025, 1, 1), end=D(2025, 6, 30))
    updated = services.compute_indicators(program=program, until=D(2025, 6, 30))
    assert updated == 6
    q1 = {i.code: i.periods.get(start_date=D(2025, 1, 1)).actual for i in (members, active, share)}
    q2 = {i.code: i.periods.get(start_date=D(2025, 4, 1)).actual for i in (members, active, share)}
    assert q1 == {"members": 5, "active": 2, "share": 40}  # c and d signed an agreement in Q1
    assert q2 == {"members": 5, "active": 2, "share": 40}  # a and u started a joint project in Q2
    period = share.periods.get(start_date=D(2025, 1, 1))
    assert period.computed and period.status == mm.ApprovalStatus.APPROVED


def test_formula_with_unknown_source_or_indicator_is_refused():
    program = make_program()
    make_indicator(program=program, code="base")
    bad = mm.Indicator(program=program, code="x", name_fa="x", method="derived", numerator="members_typo")
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert "members_typo" in str(exc.value) and "neither a source nor an indicator" in str(exc.value)
    bad.numerator, bad.denominator = "members", "nobody"
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert "nobody" in exc.value.message_dict["denominator"][0]
    bad.numerator, bad.denominator = "__import__('os')", ""
    with pytest.raises(ValidationError, match="only use names"):
        bad.full_clean()
    good = mm.Indicator(program=program, code="y", name_fa="y", method="derived", numerator="base * 2",
                        denominator="members")
    good.full_clean()


def test_circular_formulas_are_refused():
    program = make_program()
    make_indicator(program=program, code="a", method="derived", numerator="b")
    make_indicator(program=program, code="b", method="derived", numerator="members")
    b = mm.Indicator.objects.get(program=program, code="b")
    b.numerator = "a + 1"
    with pytest.raises(ValidationError, match="depends on itself"):
        b.full_clean()
    self_ref = mm.Indicator(program=program, code="c", name_fa="c", method="derived", numerator="c")
    with pytest.raises(ValidationError, match="refers to itself"):
        self_ref.full_clean()


# -- entered values -------------------------------------------------------------------------------------
def test_value_for_an_undefined_period_is_refused(admin):
    indicator = make_indicator(code="sales")
    make_period(indicator=indicator, start_date=D(2025, 3, 21), end_date=D(2025, 6, 20))
    with pytest.raises(ValidationError) as exc:
        services.record_value(user=admin, indicator=indicator, date=D(2026, 1, 1), actual="12")
    message = exc.value.message_dict["date"][0]
    assert "sales" in message and "no period" in message
    assert not mm.Period.objects.filter(indicator=indicator, actual__isnull=False).exists()


def test_reported_value_records_who_and_when_and_is_approved(admin):
    indicator = make_indicator(code="jobs", disaggregations=["founder_gender"])
    period = make_period(indicator=indicator, start_date=D(2025, 3, 21), end_date=D(2025, 6, 20), target=Decimal(20))
    saved = services.record_value(user=admin, indicator=indicator, date=D(2025, 4, 1), actual="۱۹",
                                  comment="survey", breakdown={("founder_gender", "female"): "7"})
    assert saved.pk == period.pk and saved.actual == 19 and saved.entered_by == admin and saved.entered_at
    assert saved.status == mm.ApprovalStatus.SUBMITTED
    assert saved.breakdown.get(dimension="founder_gender", category="female").actual == 7
    approver = make_user(superuser=True)
    services.review_value(user=approver, period=saved, approve=True)
    saved.refresh_from_db()
    assert saved.status == mm.ApprovalStatus.APPROVED and saved.approved_by == approver
    with pytest.raises(ValidationError, match="approved"):
        services.record_value(user=admin, indicator=indicator, date=D(2025, 4, 1), actual="30")
    with pytest.raises(ValidationError, match="not disaggregated"):
        services.record_value(user=admin, indicator=make_period(indicator=make_indicator()).indicator,
                              date=START, actual="1", breakdown={("region", "Tehran"): "1"})


def test_bad_actual_value_and_derived_indicator_entry_are_refused(admin):
    indicator = make_indicator()
    make_period(indicator=indicator)
    with pytest.raises(ValidationError, match="“lots” is not a number"):
        services.record_value(user=admin, indicator=indicator, date=START, actual="lots")
    derived = make_indicator(method="derived", numerator="members")
    make_period(indicator=derived)
    with pytest.raises(ValidationError, match="computed"):
        services.record_value(user=admin, indicator=derived, date=START, actual="3")


def test_record_value_page_flow(client, admin):
    indicator = make_indicator(code="exports")
    make_period(indicator=indicator, start_date=D(2025, 3, 21), end_date=D(2025, 6, 20))
    client.force_login(admin)
    response = client.post(reverse("monitoring:record_value", args=[indicator.pk]),
                           {"date": "1404/05/01", "actual": "5"}, follow=True)
    assert "exports" in page(response) and "no period" in page(response)
    response = client.post(reverse("monitoring:record_value", args=[indicator.pk]),
                           {"date": "1404/01/15", "actual": "5"}, follow=True)
    assert response.status_code == 200
    assert mm.Period.objects.get(indicator=indicator).actual == 5


def test_progress_thresholds():
    assert status_for(progress_ratio(actual=9, target=10)) == "on_track"
    assert status_for(progress_ratio(actual=8, target=10)) == "at_risk"
    assert status_for(progress_ratio(actual=6, target=10)) == "off_track"
    # from a baseline of 50 to a target of 100: 80 is 60% of the way
    assert status_for(progress_ratio(actual=80, target=100, baseline=50)) == "off_track"
    # lower is better: isolated firms from 40% to 10%, now 13% -> 90% of the planned fall
    assert status_for(progress_ratio(actual=13, target=10, baseline=40, lower_is_better=True)) == "on_track"
    assert status_for(progress_ratio(actual=None, target=10)) == "no_data"


# -- indicator sets -------------------------------------------------------------------------------------
def test_indicator_sets_are_applied_whole_or_not_at_all(admin):
    program = make_program(start_date=D(2025, 3, 21), end_date=D(2026, 3, 20))
    created = services.apply_indicator_set(user=admin, program=program, key="ministry-success")
    codes = {i.code for i in created}
    assert {"users", "members", "active_members", "wealth_created"} <= codes
    active = mm.Indicator.objects.get(program=program, code="active_members")
    assert active.method == "derived" and active.result.level == mm.Level.GOAL
    assert active.periods.count() == 4  # quarterly over one year
    with pytest.raises(ValidationError, match="already has indicators with the codes"):
        services.apply_indicator_set(user=admin, program=program, key="ministry-success")
    assert mm.Indicator.objects.filter(program=program).count() == len(created)
    unido = services.apply_indicator_set(user=admin, program=program, key="unido-cluster")
    assert {"participation", "density", "isolated_share", "cda_centrality", "ei_index", "trust_index"} <= {
        i.code for i in unido}
    with pytest.raises(ValidationError, match="not an indicator set"):
        services.apply_indicator_set(user=admin, program=program, key="nope")
    assert services.compute_indicators(program=program, until=D(2026, 3, 20)) > 0


def test_result_hierarchy_rules():
    program = make_program()
    goal = mm.Result.objects.create(program=program, level="goal", title_fa="هدف")
    output = mm.Result(program=program, level="output", title_fa="خروجی", parent=goal)
    with pytest.raises(ValidationError, match="contributes to"):
        output.full_clean()
    other_task = make_task()
    activity = mm.Result(program=program, level="activity", title_fa="فعالیت", task=other_task)
    with pytest.raises(ValidationError) as exc:
        activity.full_clean()
    assert "task" in exc.value.message_dict and "parent" in exc.value.message_dict


def test_results_framework_dashboard_and_report(client, admin, cluster_net):
    cluster, orgs = cluster_net
    program = make_program(cluster=cluster, start_date=D(2025, 1, 1), end_date=D(2025, 12, 31),
                           budget_planned=1000)
    make_task(program=program, start_date=D(2025, 1, 1), end_date=D(2025, 1, 31), budget_planned=100,
              budget_spent=50, title_fa="کار عقب‌افتاده", title_en="Late task")
    services.apply_indicator_set(user=admin, program=program, key="ministry-success")
    services.compute_indicators(program=program, until=D(2025, 12, 31))
    users = mm.Indicator.objects.get(program=program, code="users")
    first = users.periods.order_by("start_date").first()
    first.target, first.actual = 100, 50
    first.save()
    client.force_login(admin)
    with translation.override("en"):
        fw = client.get(reverse("monitoring:results_framework", args=[program.pk]), HTTP_ACCEPT_LANGUAGE="en")
        assert fw.status_code == 200
        assert 'data-status="off_track"' in page(fw)
        dash = client.get(reverse("monitoring:dashboard", args=[program.pk]))
        assert dash.status_code == 200
        data = json.loads(page(dash).split('id="me-chart-data" type="application/json">')[1].split("</script>")[0])
        users_chart = next(c for c in data if c["title"].startswith("users"))
        assert users_chart["target"][0] == 100 and users_chart["actual"][0] == 50
        report = client.get(reverse("monitoring:program_report", args=[program.pk]))
        assert report.status_code == 200
        text = visible_text(page(report))
        assert "Late task" in text  # the late task, in the reader's language
        assert "New ties" in text
        pdf = client.get(reverse("monitoring:program_report", args=[program.pk]), {"format": "pdf"})
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(b"%PDF")


# -- surveys --------------------------------------------------------------------------------------------
@pytest.fixture
def social_survey(admin):
    cluster, orgs = cluster_with_members(4, institutions=0)
    questionnaire = services.create_questionnaire(user=admin, cluster=cluster, template_key="social-capital",
                                                  survey_date=D(2025, 9, 1), status="open")
    services.invite_members(user=admin, questionnaire=questionnaire)
    return questionnaire, orgs


def _answers_post(questionnaire, invitation, others, *, trust=4, overall="5"):
    data = {}
    for q in questionnaire.questions.all():
        if q.kind == "network":
            data[f"q{q.pk}_m{others[0].pk}"] = str(trust)
            data[f"q{q.pk}_m{others[1].pk}"] = "2"
        elif q.kind == "scale":
            data[f"q{q.pk}"] = overall
        elif q.kind == "number":
            data[f"q{q.pk}"] = "3"
    return data


def test_survey_answered_through_the_link_saves_continues_and_creates_relations(client, social_survey):
    questionnaire, orgs = social_survey
    invitation = questionnaire.invitations.get(organization=orgs[0])
    url = reverse("monitoring:survey_answer", args=[invitation.token])
    form = client.get(url)
    assert form.status_code == 200 and str(orgs[1]) in page(form)
    data = _answers_post(questionnaire, invitation, orgs[1:])
    saved = client.post(url, {**data, "save": "1"}, follow=True)
    assert saved.status_code == 200
    invitation.refresh_from_db()
    assert invitation.saved_at and not invitation.submitted_at
    assert 'selected>۴<' in page(saved) or 'value="4" selected' in page(saved)  # the saved answer is shown again
    assert not Relation.objects.filter(origin="survey").exists()
    done = client.post(url, {**data, "submit": "1"})
    assert done.status_code == 200 and "survey-thanks" in page(done)
    relations = Relation.objects.filter(origin=Relation.Origin.SURVEY, source=orgs[0])
    assert {(r.target_id, r.strength) for r in relations} == {(orgs[1].pk, 4), (orgs[2].pk, 2)}
    assert all(r.start_date == D(2025, 9, 1) for r in relations)
    again = client.post(url, {**data, "submit": "1"})
    assert again.status_code == 409
    assert "already answered" in page(again)
    assert Relation.objects.filter(origin=Relation.Origin.SURVEY).count() == 2


def test_survey_bad_answers_are_named_and_nothing_is_saved(client, social_survey):
    questionnaire, orgs = social_survey
    invitation = questionnaire.invitations.get(organization=orgs[0])
    url = reverse("monitoring:survey_answer", args=[invitation.token])
    data = _answers_post(questionnaire, invitation, orgs[1:], trust=9, overall="7")
    with translation.override("en"):
        response = client.post(url, {**data, "submit": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    text = page(response)
    assert "trust must be a whole number from 1 to 5" in text or "choose a whole number from 1 to 5" in text
    invitation.refresh_from_db()
    assert invitation.submitted_at is None and not Relation.objects.filter(origin="survey").exists()
    missing = client.post(url, {"submit": "1"})
    assert missing.status_code == 400 and "needs an answer" in page(missing)  # the English messages (fixture _english)


def test_survey_link_in_english_and_unknown_link(client, social_survey):
    questionnaire, orgs = social_survey
    invitation = questionnaire.invitations.first()
    with translation.override("en"):
        response = client.get(reverse("monitoring:survey_answer", args=[invitation.token]),
                              HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert client.get(reverse("monitoring:survey_answer", args=["not-a-token"])).status_code == 404


def test_survey_trust_feeds_the_trust_index_indicator(admin, social_survey):
    questionnaire, orgs = social_survey
    invitation = questionnaire.invitations.get(organization=orgs[0])
    q_net = questionnaire.questions.get(kind="network")
    answers = {str(q.pk): 3 for q in questionnaire.questions.filter(kind="scale")}
    answers.update({str(q.pk): 1 for q in questionnaire.questions.filter(kind="number")})
    answers[str(q_net.pk)] = [{"organization": orgs[1].pk, "trust": 5}, {"organization": orgs[2].pk, "trust": 2}]
    services.save_answers(invitation=invitation, answers=answers, submit=True)
    program = make_program(cluster=questionnaire.cluster, start_date=D(2025, 1, 1), end_date=D(2025, 12, 31))
    trust = make_indicator(program=program, code="trust", method="derived", numerator="trust_index",
                           frequency="annual")
    services.create_periods(user=admin, indicator=trust, start=D(2025, 1, 1), end=D(2025, 12, 31))
    from django.utils import timezone
    services.compute_indicators(program=program, until=D(2025, 12, 31))
    period = trust.periods.get()
    today = timezone.localdate()
    if period.start_date <= today <= period.end_date:
        assert period.actual == Decimal("3.5")
    else:  # the answer was submitted today, outside 2025: no trust figure for that year
        assert period.actual is None


def test_network_question_cannot_name_a_non_member(social_survey):
    from factories import make_org

    questionnaire, orgs = social_survey
    invitation = questionnaire.invitations.get(organization=orgs[0])
    q_net = questionnaire.questions.get(kind="network")
    outsider = make_org()
    with pytest.raises(ValidationError, match="not another member"):
        services.save_answers(invitation=invitation, submit=False,
                              answers={str(q_net.pk): [{"organization": outsider.pk, "trust": 3}]})


def test_closed_questionnaire_refuses_answers(social_survey):
    questionnaire, orgs = social_survey
    questionnaire.status = "closed"
    questionnaire.save()
    with pytest.raises(ValidationError, match="not open"):
        services.save_answers(invitation=questionnaire.invitations.first(), answers={}, submit=False)


def test_diagnostic_template_and_question_validation(admin):
    cluster, _orgs = cluster_with_members(2)
    q = services.create_questionnaire(user=admin, cluster=cluster, template_key="diagnostic-study",
                                      survey_date=START)
    assert {x.kind for x in q.questions.all()} >= {"single", "multiple", "scale", "number", "text"}
    with pytest.raises(ValidationError, match="not a questionnaire template"):
        services.create_questionnaire(user=admin, cluster=cluster, template_key="x", survey_date=START)
    bad = mm.Question(questionnaire=q, kind="single", text_fa="؟", choices=[{"value": "a", "fa": "الف"}])
    with pytest.raises(ValidationError, match="at least two choices"):
        bad.full_clean()


# -- self-assessment ------------------------------------------------------------------------------------
def test_gold_self_assessment_profile_minimum_and_change(client, admin):
    cluster, _ = cluster_with_members(2)
    first = services.create_self_assessment(user=admin, cluster=cluster, label="gold", assessed_on=D(2025, 1, 1))
    areas = {i.area for i in first.items.all()}
    assert len(areas) == 5
    services.score_items(user=admin, assessment=first, scores={i.pk: 70 for i in first.items.all()})
    second = services.create_self_assessment(user=admin, cluster=cluster, label="gold", assessed_on=D(2026, 1, 1))
    services.score_items(user=admin, assessment=second, scores={i.pk: 85 for i in second.items.all()})
    from khooshe.monitoring.assessment import compare_profiles, score_profile

    assert score_profile(first)["passed"] is False
    assert score_profile(second)["passed"] is True and score_profile(second)["total"] == Decimal("85.0")
    assert all(r["change"] == Decimal("15.0") for r in compare_profiles(first, second))
    with pytest.raises(ValidationError, match="0 to 100"):
        services.score_items(user=admin, assessment=second, scores={second.items.first().pk: "120"})
    assert second.items.first().score == 85
    client.force_login(admin)
    response = client.get(reverse("monitoring:compare_self_assessments"),
                          {"before": first.pk, "after": second.pk})
    assert response.status_code == 200 and "assessment-change" in page(response)
    detail = client.get(second.get_absolute_url())
    assert 'id="gold-verdict"' in page(detail)


def test_bronze_checklist_has_the_six_esca_areas(admin):
    cluster, _ = cluster_with_members(1)
    bronze = services.create_self_assessment(user=admin, cluster=cluster, label="bronze", assessed_on=START)
    assert {i.area for i in bronze.items.all()} == {"structure", "governance", "financing", "services",
                                                     "interaction", "recognition"}


def test_cluster_staff_of_another_cluster_cannot_write(social_survey):
    from factories import make_role

    questionnaire, _ = social_survey
    outsider = make_role(kind="cluster_staff").user
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.invite_members(user=outsider, questionnaire=questionnaire)
