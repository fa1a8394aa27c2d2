"""Recommendations both ways (issue 4): ranking behaviour, explanations, visibility, bad input, pages,
API and the notification when a challenge opens."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied  # noqa: F401  (documents what views raise)
from factories import make_org, make_region, make_relation, make_sector, make_user
from matching_factories import make_challenge, member_of
from mixins import page
from rest_framework.test import APIClient

from khooshe.matching import models as mm
from khooshe.matching import recommend, services
from khooshe.registry import models as rm
from khooshe.search.organizations import index_organizations

pytestmark = pytest.mark.django_db
S = mm.Challenge.Status

WATER = "تصفیه پساب صنعتی با غشا و بازچرخانی آب در کارخانه‌ها"


@pytest.fixture(autouse=True)
def _fresh_cache():
    recommend.clear_cache()
    yield
    recommend.clear_cache()


def index(*orgs):
    index_organizations([o.pk for o in orgs])


def isic():
    """A little ISIC tree: section E > division 37 > group 370 > class 3700, and division 38."""
    section = make_sector(scheme="ISIC4", code="E", level=1, title_en="Water supply")
    division = make_sector(scheme="ISIC4", code="37", level=2, parent=section, title_en="Sewerage")
    group = make_sector(scheme="ISIC4", code="370", level=3, parent=division, title_en="Sewerage group")
    klass = make_sector(scheme="ISIC4", code="3700", level=4, parent=group, title_en="Sewerage class",
                        title_fa="فاضلاب")
    other = make_sector(scheme="ISIC4", code="38", level=2, parent=section, title_en="Waste collection")
    return section, division, group, klass, other


def ids(result):
    return [r.object.pk for r in result.items]


# -- ranking behaviour ---------------------------------------------------------------------------------------
def test_same_sector_nearby_solver_outranks_an_otherwise_equal_far_one():
    _section, _division, _group, klass, other = isic()
    kerman = make_region(code="T-KRM", latitude=30.28, longitude=57.08)
    tabriz = make_region(code="T-TBZ", latitude=38.08, longitude=46.29)
    owner = make_org(region=kerman)
    near = make_org(capabilities=WATER, region=kerman)
    near.sectors.add(klass)
    far = make_org(capabilities=WATER, region=tabriz)
    far.sectors.add(other)
    index(owner, near, far)
    challenge = make_challenge(owner, title="بازچرخانی پساب", problem_statement=WATER, sectors=[klass],
                               region=kerman)
    result = recommend.recommend_solvers(challenge, user=make_user(superuser=True))
    assert ids(result)[:2] == [near.pk, far.pk]
    first, second = result.items[:2]
    assert first.score > second.score
    assert first.sector["code"] == "3700" and first.sector["level"] == 4
    assert second.sector["level"] == 1 and second.sector["code"] == "E"  # only the section is shared
    assert first.same_region and first.distance_km is None
    assert second.distance_km is not None and 1000 < second.distance_km < 1400  # Kerman - Tabriz
    assert "تصفیه" in first.words and "<mark>" in first.snippet
    assert abs(sum(first.contributions.values()) - first.score) < 1e-9
    assert owner.pk not in ids(result)


def test_trust_path_from_the_owner_is_shown_and_ranks_higher():
    owner = make_org(name_fa="مالک مسئله")
    middle = make_org(name_fa="شریک میانی")
    connected = make_org(capabilities=WATER, name_fa="حل‌کننده آشنا")
    stranger = make_org(capabilities=WATER, name_fa="حل‌کننده ناآشنا")
    make_relation(source=owner, target=middle, type=rm.RelationType.PARTNERSHIP)
    make_relation(source=middle, target=connected, type=rm.RelationType.SUPPLY)
    index(owner, middle, connected, stranger)
    challenge = make_challenge(owner, problem_statement=WATER)
    result = recommend.recommend_solvers(challenge, user=member_of(owner))
    assert ids(result).index(connected.pk) < ids(result).index(stranger.pk)
    item = next(r for r in result.items if r.object.pk == connected.pk)
    assert [step["name"] for step in item.path] == ["مالک مسئله", "شریک میانی", "حل‌کننده آشنا"]
    assert item.signals["trust"] == pytest.approx(0.5)
    assert item.track["relations"] == 1
    assert next(r for r in result.items if r.object.pk == stranger.pk).path == []


def test_a_new_relation_is_used_by_the_next_request():
    owner = make_org()
    solver = make_org(capabilities=WATER)
    index(owner, solver)
    challenge = make_challenge(owner, problem_statement=WATER)
    admin = make_user(superuser=True)
    before = recommend.recommend_solvers(challenge, user=admin).items[0]
    assert before.path == [] and before.signals["trust"] == 0
    make_relation(source=solver, target=owner, type=rm.RelationType.CUSTOMER)
    after = recommend.recommend_solvers(challenge, user=admin).items[0]
    assert after.signals["trust"] == 1.0 and [s["id"] for s in after.path] == [owner.pk, solver.pk]


def test_parties_of_a_public_agreement_are_tied_and_a_private_one_is_never_a_path():
    owner = make_org(name_fa="مالک مسئله")
    solver = make_org(capabilities=WATER, name_fa="شریک کنسرسیوم")
    secret = make_org(capabilities=WATER, name_fa="شریک پنهان")
    index(owner, solver, secret)
    consortium = rm.Agreement.objects.create(title="کنسرسیوم", kind="consortium", visibility="public")
    consortium.parties.set([owner, solver, make_org()])
    private = rm.Agreement.objects.create(title="قرارداد محرمانه", visibility="private")
    private.parties.set([owner, secret])
    challenge = make_challenge(owner, problem_statement=WATER)
    result = recommend.recommend_solvers(challenge, user=make_user(superuser=True))
    tied = next(r for r in result.items if r.object.pk == solver.pk)
    assert tied.signals["trust"] == 1.0 and [s["name"] for s in tied.path] == ["مالک مسئله", "شریک کنسرسیوم"]
    assert tied.track["agreements"] == 1 and tied.signals["track"] > 0
    hidden = next(r for r in result.items if r.object.pk == secret.pk)
    assert hidden.path == [] and hidden.signals["trust"] == 0
    assert hidden.track["agreements"] == 1  # it still counts in the track record
    graph = recommend.relation_graph()
    row = graph.index[solver.pk]
    assert graph.weights[row].sum() == pytest.approx(2 * 0.5 / 2)  # two partners, 1/(k-1) each, no date: 0.5


def test_partners_of_the_best_matches_are_recommended_through_the_network():
    owner = make_org()
    match = make_org(capabilities=WATER)
    partner = make_org(capabilities="طراحی نرم‌افزار حسابداری")  # no shared word
    make_relation(source=match, target=partner, type=rm.RelationType.JOINT_PROJECT, strength=5)
    index(owner, match, partner)
    challenge = make_challenge(owner, problem_statement=WATER)
    result = recommend.recommend_solvers(challenge, user=make_user(superuser=True))
    assert partner.pk in ids(result)
    item = next(r for r in result.items if r.object.pk == partner.pk)
    assert item.signals["text"] == 0 and item.signals["network"] > 0
    without = recommend.recommend_solvers(challenge, user=make_user(superuser=True),
                                          signals=[s for s in recommend.SIGNALS if s != "network"])
    assert partner.pk not in ids(without)


def test_size_fit_follows_the_budget_band():
    owner = make_org()
    micro = make_org(capabilities=WATER, size_class=rm.SizeClass.MICRO)
    large = make_org(capabilities=WATER, size_class=rm.SizeClass.LARGE)
    index(owner, micro, large)
    small = make_challenge(owner, problem_statement=WATER, budget_max=1_000_000, currency="IRR")
    big = make_challenge(owner, problem_statement=WATER, budget_max=10**13, currency="IRR")
    admin = make_user(superuser=True)
    assert ids(recommend.recommend_solvers(small, user=admin, signals=["text", "size"]))[0] == micro.pk
    assert ids(recommend.recommend_solvers(big, user=admin, signals=["text", "size"]))[0] == large.pk


def test_persian_text_matches_across_zwnj_and_plural_forms():
    owner = make_org()
    solver = make_org(capabilities="طراحی سامانه‌های پایش کیفیت آب")
    index(owner, solver)
    challenge = make_challenge(owner, title="سامانه پایش", problem_statement="نیاز به سامانه پایش کیفیت")
    result = recommend.recommend_solvers(challenge, user=make_user(superuser=True))
    assert ids(result) == [solver.pk]
    assert "پایش" in result.items[0].words


def test_only_the_chosen_signals_contribute_and_unknown_ones_are_refused():
    owner = make_org()
    solver = make_org(capabilities=WATER)
    index(owner, solver)
    challenge = make_challenge(owner, problem_statement=WATER)
    result = recommend.recommend_solvers(challenge, user=make_user(superuser=True), signals=["text"])
    assert set(result.items[0].contributions) == {"text"} and result.items[0].score == 1.0
    with pytest.raises(ValueError, match="unknown signal"):
        recommend.recommend_solvers(challenge, user=make_user(superuser=True), signals=["luck"])
    with pytest.raises(ValueError, match="must be a number"):
        recommend.recommend_solvers(challenge, user=make_user(superuser=True), weights={"text": -1})


# -- visibility -----------------------------------------------------------------------------------------------
def test_invisible_organizations_are_never_recommended_nor_shown_on_a_path():
    owner = make_org()
    hidden = make_org(capabilities=WATER, visibility=rm.Visibility.PRIVATE, name_fa="سازمان پنهان")
    public = make_org(capabilities=WATER + " بیشتر")
    behind = make_org(capabilities=WATER)
    make_relation(source=owner, target=hidden, type=rm.RelationType.PARTNERSHIP)
    make_relation(source=hidden, target=behind, type=rm.RelationType.PARTNERSHIP)
    index(owner, hidden, public, behind)
    challenge = make_challenge(owner, problem_statement=WATER)
    member = member_of(owner)
    result = recommend.recommend_solvers(challenge, user=member)
    assert hidden.pk not in ids(result) and {public.pk, behind.pk} <= set(ids(result))
    for item in result.items:
        assert hidden.pk not in [s["id"] for s in item.path]
    assert next(r for r in result.items if r.object.pk == behind.pk).path == []
    admin_result = recommend.recommend_solvers(challenge, user=make_user(superuser=True))
    assert hidden.pk in ids(admin_result)
    assert [s["id"] for s in next(r for r in admin_result.items if r.object.pk == behind.pk).path] == [
        owner.pk, hidden.pk, behind.pk]
    api = APIClient()
    api.force_authenticate(member)
    body = api.get(f"/api/matching/challenges/{challenge.pk}/recommendations/").content.decode()
    assert "سازمان پنهان" not in body
    # Once the member joins the private organization too, the next request sees it and the path through it.
    rm.Role.objects.create(user=member, organization=hidden, kind=rm.Role.Kind.MEMBER)
    member = type(member).objects.get(pk=member.pk)  # as the next request loads it
    joined = recommend.recommend_solvers(challenge, user=member)
    assert hidden.pk in ids(joined)
    assert [s["id"] for s in next(r for r in joined.items if r.object.pk == behind.pk).path] == [
        owner.pk, hidden.pk, behind.pk]


# -- bad input -----------------------------------------------------------------------------------------------
def test_challenge_with_no_text_gets_a_clear_message(client):
    owner = make_org()
    challenge = make_challenge(owner, title="؟!", problem_statement="", status=S.DRAFT)
    with pytest.raises(recommend.NoTextError):
        recommend.recommend_solvers(challenge, user=make_user(superuser=True))
    user = member_of(owner)
    client.force_login(user)
    response = client.get(f"/matching/challenges/{challenge.pk}/recommendations/")
    assert response.status_code == 200
    assert "برای تطبیق ندارد" in page(response)  # "… has no (text|words) to match", in Persian
    api = APIClient()
    api.force_authenticate(user)
    response = api.get(f"/api/matching/challenges/{challenge.pk}/recommendations/")
    assert response.status_code == 400 and "challenge" in response.json()
    response = api.get(f"/api/matching/challenges/{challenge.pk}/recommendations/?limit=abc")
    assert response.status_code == 400 and "limit" in response.json()


def test_html_in_texts_is_escaped_in_the_explanation(client):
    owner = make_org()
    solver = make_org(capabilities="<script>alert(1)</script> " + WATER, name_fa="<b>شرکت</b>")
    index(owner, solver)
    challenge = make_challenge(owner, problem_statement=WATER)
    client.force_login(member_of(owner))
    content = page(client.get(f"/matching/challenges/{challenge.pk}/recommendations/"))
    assert "<script>alert(1)" not in content and "&lt;script&gt;" in content
    assert "<b>شرکت</b>" not in content


# -- pages and API -----------------------------------------------------------------------------------------------
def test_recommended_solvers_page_and_section_for_the_owner_only(client):
    owner = make_org()
    solver = make_org(capabilities=WATER, name_fa="پالایش گستر")
    index(owner, solver)
    challenge = make_challenge(owner, problem_statement=WATER)
    client.force_login(member_of(owner))
    detail = page(client.get(challenge.get_absolute_url()))
    assert 'id="recommended-solvers"' in detail
    content = page(client.get(f"/matching/challenges/{challenge.pk}/recommendations/"))
    assert "پالایش گستر" in content and "kh-rec-bar" in content and "<mark>" in content
    partial = page(client.get(f"/matching/challenges/{challenge.pk}/recommendations/?partial=1"))
    assert "پالایش گستر" in partial and "<html" not in partial
    client.force_login(member_of(solver))
    assert 'id="recommended-solvers"' not in page(client.get(challenge.get_absolute_url()))
    assert client.get(f"/matching/challenges/{challenge.pk}/recommendations/").status_code == 403
    client.logout()
    assert client.get(f"/matching/challenges/{challenge.pk}/recommendations/").status_code == 302


def test_recommendations_api_returns_explanations():
    owner = make_org(name_fa="مالک")
    solver = make_org(capabilities=WATER)
    make_relation(source=owner, target=solver, type=rm.RelationType.PARTNERSHIP)
    index(owner, solver)
    challenge = make_challenge(owner, problem_statement=WATER)
    api = APIClient()
    api.force_authenticate(member_of(owner))
    data = api.get(f"/api/matching/challenges/{challenge.pk}/recommendations/?limit=5").json()
    assert data["mode"] == "bm25" and data["weights"]["text"] > 0
    first = data["results"][0]
    assert first["organization"]["id"] == solver.pk
    assert set(first["signals"]) == set(recommend.SIGNALS)
    assert [s["name"] for s in first["explanation"]["path"]][0] == "مالک"
    assert first["explanation"]["track"]["relations"] == 1 and first["explanation"]["words"]
    assert 0 < first["score"] <= 1
    api.force_authenticate(member_of(solver))
    assert api.get(f"/api/matching/challenges/{challenge.pk}/recommendations/").status_code == 403
    api.force_authenticate(None)
    assert api.get(f"/api/matching/challenges/{challenge.pk}/recommendations/").status_code in (401, 403)


def test_challenges_for_an_organization(client):
    _section, _division, _group, klass, _other = isic()
    org = make_org(capabilities=WATER)
    org.sectors.add(klass)
    index(org)
    fitting = make_challenge(make_org(), title="پساب", problem_statement=WATER, sectors=[klass])
    unrelated = make_challenge(make_org(), title="بازاریابی فرش", problem_statement="فروش فرش دستباف در اروپا")
    draft = make_challenge(make_org(), problem_statement=WATER, status=S.DRAFT)
    own = make_challenge(org, problem_statement=WATER)
    user = member_of(org)
    result = recommend.recommend_challenges(org, user=user)
    assert [r.object.pk for r in result.items] == [fitting.pk]
    item = result.items[0]
    assert item.sector["code"] == "3700" and item.signals["text"] == 1.0 and item.words
    assert {unrelated.pk, draft.pk, own.pk}.isdisjoint(r.object.pk for r in result.items)
    client.force_login(user)
    content = page(client.get(f"/matching/organizations/{org.pk}/challenges/"))
    assert fitting.title in content and unrelated.title not in content
    assert 'id="challenges-for-you"' in page(client.get(org.get_absolute_url()))
    api = APIClient()
    api.force_authenticate(user)
    data = api.get(f"/api/matching/organizations/{org.pk}/challenges/").json()
    assert [r["challenge"]["id"] for r in data["results"]] == [fitting.pk]
    api.force_authenticate(member_of(make_org()))
    assert api.get(f"/api/matching/organizations/{org.pk}/challenges/").status_code == 403


# -- notifications -------------------------------------------------------------------------------------------
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_opening_a_challenge_notifies_members_of_fitting_organizations_once(settings,
                                                                             django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    owner = make_org()
    fit = make_org(capabilities=WATER)
    unfit = make_org(capabilities="فروش فرش دستباف")
    index(owner, fit, unfit)
    fit_user, unfit_user, owner_user = member_of(fit), member_of(unfit), member_of(owner)
    challenge = make_challenge(owner, problem_statement=WATER, status=S.DRAFT)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.open_challenge(user=owner_user, challenge=challenge)
    assert not mm.Notification.objects.exists()  # nothing is computed inside the opening transaction
    for callback in callbacks:  # the commit
        callback()
    assert list(mm.Notification.objects.filter(user=fit_user).values_list("challenge", flat=True)) == [challenge.pk]
    assert not mm.Notification.objects.filter(user__in=[unfit_user, owner_user]).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.start_evaluation(user=owner_user, challenge=challenge)
        services.open_challenge(user=owner_user, challenge=challenge)  # reopened: nobody is told twice
    assert services.notify_challenge_opened(challenge=challenge) == 0
    assert mm.Notification.objects.filter(user=fit_user).count() == 1


def test_notifications_are_queued_for_the_worker_after_the_commit(settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # the default queue
    from khooshe.matching.tasks import notify_challenge_opened

    owner = make_org()
    fit = make_org(capabilities=WATER)
    index(owner, fit)
    fit_user = member_of(fit)
    challenge = make_challenge(owner, problem_statement=WATER, status=S.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        services.open_challenge(user=member_of(owner), challenge=challenge)
    # the database queue (the default backend) holds the task (next to other after-commit work, e.g. indexing) ...
    queued = [task for task in DBTaskResult.objects.filter(task_path__endswith="notify_challenge_opened")
              if task.args_kwargs["args"] == [challenge.pk]]  # other modules may have left tasks of theirs
    assert len(queued) == 1
    assert not mm.Notification.objects.exists()  # ... and the opening did not wait for it
    assert notify_challenge_opened.call(challenge.pk) == 1  # what the worker runs
    assert mm.Notification.objects.filter(user=fit_user, challenge=challenge).count() == 1


def test_a_failure_to_notify_never_undoes_the_opening(settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    owner = make_org()
    fit = make_org(capabilities=WATER)
    index(owner, fit)
    member_of(fit)
    challenge = make_challenge(owner, problem_statement=WATER, status=S.DRAFT)

    def broken(challenge):
        raise RuntimeError("search index unavailable")

    monkeypatch.setattr(services, "fitting_organizations", broken)
    with django_capture_on_commit_callbacks(execute=True):
        services.open_challenge(user=member_of(owner), challenge=challenge)  # no exception reaches the user
    challenge.refresh_from_db()
    assert challenge.status == S.OPEN and challenge.opened_at is not None
    assert not mm.Notification.objects.exists()


def test_invited_challenge_notifies_only_invited_organizations(settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    owner = make_org()
    invited = make_org(capabilities="مشاوره مدیریت")
    fitting_outsider = make_org(capabilities=WATER)
    index(owner, invited, fitting_outsider)
    invited_user, outsider_user = member_of(invited), member_of(fitting_outsider)
    challenge = make_challenge(owner, problem_statement=WATER, status=S.DRAFT,
                               visibility=mm.Challenge.Visibility.INVITED)
    challenge.invited_organizations.add(invited)
    with django_capture_on_commit_callbacks(execute=True):
        services.open_challenge(user=member_of(owner), challenge=challenge)
    assert mm.Notification.objects.filter(user=invited_user).count() == 1
    assert not mm.Notification.objects.filter(user=outsider_user).exists()


# -- the same scores for a matchmaking day ---------------------------------------------------------------------
def test_matchmaking_day_pair_scores_are_the_recommenders_scores():
    from meetings_factories import make_day, make_participant

    _section, division, _group, klass, other = isic()
    tehran = make_region(code="T-THR", latitude=35.69, longitude=51.39)
    owner = make_org(region=tehran)
    near = make_org(capabilities=WATER, region=tehran, size_class="small")
    near.sectors.add(klass)
    partner = make_org(capabilities="مشاوره مدیریت و حسابداری")  # no matching word: a partner of `near`
    partner.sectors.add(other)
    unrelated = make_org(capabilities="فروش فرش دستباف")
    make_relation(source=owner, target=near)
    make_relation(source=near, target=partner, strength=5)
    index(owner, near, partner, unrelated)
    challenge = make_challenge(owner, title="بازچرخانی پساب", problem_statement=WATER, sectors=[division],
                               budget_max=40_000_000_000, currency="IRR")
    day = make_day(make_org(), slot_count=2, tables=2, max_meetings=2)
    seeker = make_participant(day=day, organization=owner, role="seeker", challenges=[challenge])
    solvers = {o.pk: make_participant(day=day, organization=o, role="solver") for o in (near, partner, unrelated)}

    pairs = services.pair_scores(day)["pairs"]
    ranked = {r.object.pk: r for r in recommend.recommend_solvers(challenge, user=make_user(superuser=True)).items}
    for org_id in (near.pk, partner.pk):
        score, challenge_id, _reason = pairs[(seeker.pk, solvers[org_id].pk)]
        assert challenge_id == challenge.pk
        assert score == pytest.approx(100 * ranked[org_id].score, abs=1e-3)
    assert ranked[near.pk].signals["trust"] == 1.0 and ranked[near.pk].signals["text"] == 1.0
    assert pairs[(seeker.pk, solvers[near.pk].pk)][0] > pairs[(seeker.pk, solvers[partner.pk].pk)][0]
    reason = pairs[(seeker.pk, solvers[near.pk].pk)][2]
    assert "پساب" in reason
    assert (seeker.pk, solvers[unrelated.pk].pk) not in pairs  # neither a matching word nor a sector
    # score_candidates gives each organization the score it has on the recommended list
    given = recommend.score_candidates(challenge, [near.pk, partner.pk, unrelated.pk, owner.pk])
    assert owner.pk not in given
    assert given[near.pk].score == pytest.approx(ranked[near.pk].score)
    assert given[partner.pk].signals == pytest.approx(ranked[partner.pk].signals)
