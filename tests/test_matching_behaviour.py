"""What users of matchmaking see: the challenge workflow, anonymity of partnering profiles until the owner
accepts, evaluation arithmetic, award (agreement + relation, atomically), permissions, notifications, XSS."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import make_org, make_sector, make_user
from matching_factories import make_challenge, make_criterion, make_profile, make_proposal, member_of
from mixins import page, row_pks
from rest_framework.test import APIClient

from khooshe.matching import models as mm
from khooshe.matching import selectors, services
from khooshe.registry import models as rm

pytestmark = pytest.mark.django_db
S = mm.Challenge.Status


# -- workflow -----------------------------------------------------------------------------------------
def test_workflow_allowed_and_refused_transitions():
    owner = make_org()
    user = member_of(owner)
    challenge = make_challenge(owner, status=S.DRAFT)
    services.open_challenge(user=user, challenge=challenge)
    challenge.refresh_from_db()
    assert challenge.status == S.OPEN and challenge.opened_at is not None
    services.start_evaluation(user=user, challenge=challenge)
    services.close_challenge(user=user, challenge=challenge)
    with pytest.raises(ValidationError) as err:
        services.open_challenge(user=user, challenge=challenge)
    assert "status" in err.value.message_dict
    assert "Closed" in err.value.message_dict["status"][0] or "بسته" in err.value.message_dict["status"][0]
    with pytest.raises(ValidationError):
        services.transition_challenge(user=user, challenge=make_challenge(owner, status=S.DRAFT), to=S.AWARDED)


def test_challenge_without_text_cannot_be_opened_and_message_names_the_field(client):
    owner = make_org()
    user = member_of(owner)
    challenge = make_challenge(owner, status=S.DRAFT, problem_statement="   ")
    with pytest.raises(ValidationError) as err:
        services.open_challenge(user=user, challenge=challenge)
    assert "problem_statement" in err.value.message_dict
    client.force_login(user)
    response = client.post(f"/matching/challenges/{challenge.pk}/open/", follow=True)
    assert response.status_code == 200
    challenge.refresh_from_db()
    assert challenge.status == S.DRAFT
    assert "problem statement" in page(response) or "مسئله" in page(response)


def test_only_the_owner_side_manages_a_challenge(client):
    challenge = make_challenge(status=S.DRAFT)
    stranger = member_of(make_org())
    with pytest.raises(PermissionDenied):
        services.open_challenge(user=stranger, challenge=challenge)
    client.force_login(stranger)
    # A draft is not even visible to others.
    assert client.post(f"/matching/challenges/{challenge.pk}/open/").status_code == 404
    assert client.get(challenge.get_absolute_url()).status_code == 404
    api = APIClient()
    api.force_authenticate(stranger)
    assert api.post(f"/api/matching/challenges/{challenge.pk}/transition/", {"to": "open"},
                    format="json").status_code == 404
    public = make_challenge(status=S.OPEN)
    response = api.post(f"/api/matching/challenges/{public.pk}/transition/", {"to": "closed"}, format="json")
    assert response.status_code == 403
    public.refresh_from_db()
    assert public.status == S.OPEN


def test_api_transition_names_the_wrong_transition():
    owner = make_org()
    user = member_of(owner)
    challenge = make_challenge(owner, status=S.CLOSED)
    api = APIClient()
    api.force_authenticate(user)
    response = api.post(f"/api/matching/challenges/{challenge.pk}/transition/", {"to": "open"}, format="json")
    assert response.status_code == 400 and "status" in response.json()
    response = api.post(f"/api/matching/challenges/{challenge.pk}/transition/", {"to": "nonsense"}, format="json")
    assert response.status_code == 400


def test_visibility_public_members_invited(client):
    public = make_challenge(visibility="public")
    members = make_challenge(visibility="members")
    invited_org = make_org()
    invited = make_challenge(visibility="invited")
    invited.invited_organizations.add(invited_org)
    draft = make_challenge(visibility="public", status=S.DRAFT)
    ids = lambda: set(row_pks(page(client.get("/matching/challenges/", {"per_page": 250}))))  # noqa: E731
    assert ids() & {public.pk, members.pk, invited.pk, draft.pk} == {public.pk}
    client.force_login(member_of(make_org()))
    assert ids() & {public.pk, members.pk, invited.pk, draft.pk} == {public.pk, members.pk}
    client.force_login(member_of(invited_org))
    assert ids() & {public.pk, members.pk, invited.pk, draft.pk} == {public.pk, members.pk, invited.pk}
    client.force_login(member_of(draft.owner))
    assert draft.pk in ids()


# -- anonymity of partnering profiles ---------------------------------------------------------------------
def test_profile_owner_is_hidden_until_the_owner_accepts(client):
    owner = make_org(name_fa="سازمان پنهان مالک")
    profile = make_profile(owner, title="فناوری تصفیه آب")
    interested = make_org(name_fa="شرکت علاقه‌مند")
    asker = member_of(interested)
    owner_user = member_of(owner)
    secret, sender_name = owner.name_fa, interested.name_fa

    def sees_owner(c, api_user) -> list[bool]:
        listing = page(c.get("/matching/profiles/", {"q": "فناوری"}))
        detail = page(c.get(profile.get_absolute_url()))
        export = c.get("/matching/profiles/export/", {"format": "csv"})
        export_text = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
        api = APIClient()
        if api_user is not None:
            api.force_authenticate(api_user)
        body = api.get(f"/api/matching/profiles/{profile.pk}/").json()
        api_list = str(api.get("/api/matching/profiles/").json())
        return [secret in listing, secret in detail, secret in export_text, body.get("owner_name") == secret,
                secret in api_list, "owner" in body]

    assert sees_owner(client, None) == [False] * 6  # anonymous visitors
    client.force_login(asker)
    assert sees_owner(client, asker) == [False] * 6
    # The owner filter does not exist: nobody can find a profile by its owner.
    assert profile.pk in row_pks(page(client.get("/matching/profiles/", {"owner": owner.pk + 1000})))

    response = client.post(f"/matching/profiles/{profile.pk}/interest/",
                           {"from_organization": interested.pk, "message": "<b>سلام</b>"})
    assert response.status_code == 302
    eoi = mm.ExpressionOfInterest.objects.get()
    assert sees_owner(client, asker)[:2] == [False, False]

    # The owner sees the message but not who sent it, until they accept.
    client.force_login(owner_user)
    detail = page(client.get(profile.get_absolute_url()))
    assert "&lt;b&gt;سلام&lt;/b&gt;" in detail and sender_name not in detail
    assert sender_name not in page(client.get("/matching/interests/"))
    client.post(f"/matching/interests/{eoi.pk}/decide/", {"accept": "1"})
    eoi.refresh_from_db()
    assert eoi.status == mm.ExpressionOfInterest.Status.ACCEPTED
    assert sender_name in page(client.get(profile.get_absolute_url()))
    assert sender_name in page(client.get("/matching/interests/"))

    client.force_login(asker)
    detail = page(client.get(profile.get_absolute_url()))
    assert secret in detail
    api = APIClient()
    api.force_authenticate(asker)
    assert api.get(f"/api/matching/profiles/{profile.pk}/").json()["owner_name"] == secret
    # A third party still does not see it.
    third = member_of(make_org())
    client.force_login(third)
    assert secret not in page(client.get(profile.get_absolute_url()))


def test_profile_search_does_not_match_the_owner_name():
    owner = make_org(name_fa="نام‌یکتای‌مالک")
    profile = make_profile(owner)
    assert "یکتا" not in profile.search_text


def test_only_the_profile_owner_decides_and_declined_stays_hidden():
    owner = make_org()
    profile = make_profile(owner)
    interested = make_org()
    asker = member_of(interested)
    eoi = services.express_interest(user=asker, profile=profile, from_organization=interested)
    with pytest.raises(PermissionDenied):
        services.decide_interest(user=asker, interest=eoi, accept=True)
    with pytest.raises(ValidationError):
        services.express_interest(user=asker, profile=profile, from_organization=interested)
    with pytest.raises(PermissionDenied):  # not on behalf of someone else's organization
        services.express_interest(user=asker, profile=make_profile(), from_organization=make_org())
    services.decide_interest(user=member_of(owner), interest=eoi, accept=False)
    assert not selectors.owner_revealed_to(profile, asker)


# -- evaluation ---------------------------------------------------------------------------------------
def test_weighted_mean_over_reviewers_and_ranking():
    owner = make_org()
    challenge = make_challenge(owner)
    tech = make_criterion(challenge, name="فنی", weight=3)
    cost = make_criterion(challenge, name="هزینه", weight=1)
    r1, r2 = make_user(), make_user()
    challenge.reviewers.add(r1, r2)
    good, weak = make_proposal(challenge), make_proposal(challenge)
    services.submit_review(user=r1, proposal=good, scores={tech.pk: 5, cost.pk: 1}, comment="خوب")
    services.submit_review(user=r2, proposal=good, scores={tech.pk: 4, cost.pk: 4})
    # r1: (3*5 + 1*1)/4 = 4.0; r2: (3*4 + 1*4)/4 = 4.0; mean 4.0
    assert selectors.proposal_score(good) == pytest.approx(4.0)
    services.submit_review(user=r1, proposal=weak, scores={tech.pk: 1, cost.pk: 5})
    # (3*1 + 1*5)/4 = 2.0
    assert selectors.proposal_score(weak) == pytest.approx(2.0)
    # A reviewer's new review replaces the earlier one.
    services.submit_review(user=r1, proposal=weak, scores={str(tech.pk): 2, str(cost.pk): 2})
    assert selectors.proposal_score(weak) == pytest.approx(2.0)
    services.submit_review(user=r1, proposal=weak, scores={tech.pk: 3, cost.pk: 3})
    assert selectors.proposal_score(weak) == pytest.approx(3.0)
    ranked = selectors.ranked_proposals(challenge, member_of(owner))
    assert [p.pk for p, _ in ranked] == [good.pk, weak.pk]
    assert selectors.proposal_score(make_proposal(challenge)) is None


def test_review_refuses_out_of_range_and_non_reviewers(client):
    challenge = make_challenge()
    tech = make_criterion(challenge, name="فنی", weight=2)
    reviewer = make_user()
    challenge.reviewers.add(reviewer)
    proposal = make_proposal(challenge)
    with pytest.raises(ValidationError) as err:
        services.submit_review(user=reviewer, proposal=proposal, scores={tech.pk: 6})
    assert f"criterion_{tech.pk}" in err.value.message_dict
    with pytest.raises(PermissionDenied):
        services.submit_review(user=make_user(), proposal=proposal, scores={tech.pk: 3})
    client.force_login(reviewer)
    response = client.post(f"/matching/proposals/{proposal.pk}/review/", {f"criterion_{tech.pk}": "9"})
    assert response.status_code == 400 and "فنی" in page(response)
    assert not mm.Review.objects.exists()
    response = client.post(f"/matching/proposals/{proposal.pk}/review/", {f"criterion_{tech.pk}": "4",
                                                                         "comment": "<script>x</script>"})
    assert response.status_code == 302
    detail = page(client.get(proposal.get_absolute_url()))
    assert "<script>x</script>" not in detail and "&lt;script&gt;" in detail


# -- award --------------------------------------------------------------------------------------------
def test_award_creates_agreement_and_relation_and_closes_the_others(client):
    owner = make_org()
    user = member_of(owner)
    challenge = make_challenge(owner)
    winner, other = make_proposal(challenge), make_proposal(challenge)
    services.shortlist_proposal(user=user, proposal=winner)
    client.force_login(user)
    response = client.post(f"/matching/proposals/{winner.pk}/award/")
    assert response.status_code == 302
    winner.refresh_from_db()
    other.refresh_from_db()
    challenge.refresh_from_db()
    assert challenge.status == S.AWARDED
    assert winner.status == mm.Proposal.Status.AWARDED and other.status == mm.Proposal.Status.NOT_SELECTED
    agreement = winner.agreement
    assert set(agreement.parties.values_list("pk", flat=True)) == {owner.pk, winner.solver_id}
    relation = rm.Relation.objects.get(agreement=agreement)
    assert (relation.source_id, relation.target_id) == (owner.pk, winner.solver_id)
    assert relation.type == rm.RelationType.JOINT_PROJECT and relation.origin == rm.Relation.Origin.AGREEMENT
    # Awarded once: a second award is refused.
    with pytest.raises(ValidationError):
        services.award_proposal(user=user, proposal=other)


def test_award_is_atomic(monkeypatch):
    owner = make_org()
    user = member_of(owner)
    challenge = make_challenge(owner)
    proposal = make_proposal(challenge)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(rm.Relation, "save", broken)
    agreements = rm.Agreement.objects.count()
    with pytest.raises(RuntimeError):
        services.award_proposal(user=user, proposal=proposal)
    assert rm.Agreement.objects.count() == agreements
    challenge.refresh_from_db()
    proposal.refresh_from_db()
    assert challenge.status == S.OPEN and proposal.status == mm.Proposal.Status.SUBMITTED


def test_only_owner_awards_and_api_award():
    owner = make_org()
    challenge = make_challenge(owner)
    proposal = make_proposal(challenge)
    solver_user = member_of(proposal.solver)
    api = APIClient()
    api.force_authenticate(solver_user)
    assert api.post(f"/api/matching/proposals/{proposal.pk}/award/").status_code == 403
    api.force_authenticate(member_of(owner))
    response = api.post(f"/api/matching/proposals/{proposal.pk}/award/")
    assert response.status_code == 200
    assert rm.Agreement.objects.filter(pk=response.json()["agreement"]).exists()


# -- permissions on proposals ----------------------------------------------------------------------------
def test_solvers_see_only_their_own_proposals_reviewers_what_they_review():
    owner = make_org()
    challenge = make_challenge(owner)
    a, b = make_proposal(challenge), make_proposal(challenge)
    other = make_proposal()
    solver_a = member_of(a.solver)
    assert set(mm.Proposal.objects.visible_to(solver_a)) == {a}
    assert set(mm.Proposal.objects.visible_to(member_of(owner))) == {a, b}
    reviewer = make_user()
    challenge.reviewers.add(reviewer)
    assert set(mm.Proposal.objects.visible_to(reviewer)) == {a, b}
    assert other not in mm.Proposal.objects.visible_to(reviewer)
    api = APIClient()
    api.force_authenticate(solver_a)
    ids = {r["id"] for r in api.get("/api/matching/proposals/").json()["results"]}
    assert ids == {a.pk}
    assert api.get(f"/api/matching/proposals/{b.pk}/").status_code == 404


def test_proposal_to_a_closed_challenge_is_refused_with_the_field(client):
    challenge = make_challenge(status=S.CLOSED)
    solver = make_org()
    client.force_login(member_of(solver))
    response = client.post("/matching/proposals/add/", {"challenge": challenge.pk, "solver": solver.pk,
                                                        "summary": "x"})
    assert response.status_code == 400
    assert not mm.Proposal.objects.exists()


# -- notifications ------------------------------------------------------------------------------------
def test_opening_notifies_organizations_in_the_same_isic_division(client, settings,
                                                                  django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    section = make_sector(scheme="ISIC4", code="TC", level=1)
    division = make_sector(scheme="ISIC4", code="T20", level=2, parent=section)
    other_division = make_sector(scheme="ISIC4", code="T21", level=2, parent=section)
    group = make_sector(scheme="ISIC4", code="T201", level=3, parent=division)
    owner = make_org()
    challenge = make_challenge(owner, status=S.DRAFT, sectors=[division], title="<img src=x onerror=alert(1)>")
    fit = make_org()
    fit.capability_sectors.add(group)
    unfit = make_org()
    unfit.sectors.add(other_division)
    fit_user, unfit_user = member_of(fit), member_of(unfit)
    with django_capture_on_commit_callbacks(execute=True):  # notifications are made after the commit
        services.open_challenge(user=member_of(owner), challenge=challenge)
    assert list(mm.Notification.objects.filter(user=fit_user).values_list("challenge", flat=True)) == [challenge.pk]
    assert not mm.Notification.objects.filter(user=unfit_user).exists()
    client.force_login(fit_user)
    content = page(client.get("/matching/notifications/"))
    assert challenge.get_absolute_url() in content
    assert "<img src=x" not in content and "&lt;img src=x" in content
    client.post("/matching/notifications/")
    assert not mm.Notification.objects.filter(user=fit_user, read=False).exists()
    client.logout()
    assert client.get("/matching/notifications/").status_code == 302


# -- XSS ------------------------------------------------------------------------------------------------
def test_html_in_challenge_fields_is_escaped_everywhere(client):
    attack = '<script>alert("x")</script>'
    challenge = make_challenge(title=attack, problem_statement=attack, background=attack)
    for url in ("/matching/challenges/", challenge.get_absolute_url()):
        content = page(client.get(url))
        assert attack not in content
        assert "&lt;script&gt;" in content


# -- bad input ------------------------------------------------------------------------------------------
def test_bad_input_gets_clear_4xx_never_500(client):
    user = member_of(make_org())
    challenge = make_challenge()
    tech = make_criterion(challenge, name="فنی")
    challenge.reviewers.add(user)
    proposal = make_proposal(challenge)
    profile = make_profile()
    api = APIClient()
    api.force_authenticate(user)
    huge = "9" * 30
    for url in (f"/api/matching/challenges/{huge}/transition/", f"/api/matching/proposals/{huge}/award/",
                f"/api/matching/profiles/{huge}/interest/", f"/api/matching/interests/{huge}/decide/"):
        assert api.post(url, {}, format="json").status_code == 404, url
    for data in ({"from_organization": huge}, {"from_organization": "abc"}, {}, {"from_organization": [1]}):
        response = api.post(f"/api/matching/profiles/{profile.pk}/interest/", data, format="json")
        assert response.status_code == 400 and "from_organization" in response.json(), data
    for data in ({"scores": []}, {"scores": {str(tech.pk): "x"}}, {"scores": {str(tech.pk): 0}}):
        assert api.post(f"/api/matching/proposals/{proposal.pk}/review/", data, format="json").status_code == 400
    response = api.post(f"/api/matching/proposals/{proposal.pk}/review/", {"scores": {str(tech.pk): 5}},
                        format="json")
    assert response.status_code == 200 and response.json()["score"] == 5.0
    client.force_login(user)
    assert client.get("/matching/challenges/", {"q": "<script>" + "ب" * 5000 + " 😀 ( * \""}).status_code == 200
    assert client.get("/api/matching/challenges/", {"owner": huge}).status_code == 400


def test_api_hides_reviewers_invitations_and_scores_from_outsiders():
    owner = make_org()
    challenge = make_challenge(owner)
    reviewer = make_user()
    challenge.reviewers.add(reviewer)
    proposal = make_proposal(challenge)
    api = APIClient()
    body = api.get(f"/api/matching/challenges/{challenge.pk}/").json()
    assert "reviewers" not in body and "invited_organizations" not in body
    api.force_authenticate(member_of(owner))
    assert api.get(f"/api/matching/challenges/{challenge.pk}/").json()["reviewers"] == [reviewer.pk]
    assert "score" in api.get(f"/api/matching/proposals/{proposal.pk}/").json()
    api.force_authenticate(member_of(proposal.solver))
    assert "score" not in api.get(f"/api/matching/proposals/{proposal.pk}/").json()


def test_pages_offer_the_actions_each_user_may_take(client):
    owner = make_org()
    draft = make_challenge(owner, status=S.DRAFT)
    client.force_login(member_of(owner))
    content = page(client.get(draft.get_absolute_url()))
    assert f"/matching/challenges/{draft.pk}/open/" in content
    open_challenge = make_challenge()
    solver = make_org()
    client.force_login(member_of(solver))
    content = page(client.get(open_challenge.get_absolute_url()))
    assert f"/matching/challenges/{open_challenge.pk}/close/" not in content
    assert "/matching/proposals/add/" in content
    profile = make_profile()
    content = page(client.get(profile.get_absolute_url()))
    assert f"/matching/profiles/{profile.pk}/interest/" in content and f'value="{solver.pk}"' in content


def test_proposal_attachment_only_to_those_who_see_the_proposal(client, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = str(tmp_path)
    owner = make_org()
    proposal = make_proposal(make_challenge(owner))
    proposal.attachment.save("plan.pdf", ContentFile(b"%PDF secret plan"))
    url = f"/matching/proposals/{proposal.pk}/attachment/"
    client.force_login(member_of(make_org()))
    assert client.get(url).status_code == 404
    assert client.get(f"/media/{proposal.attachment.name}").status_code == 404
    client.force_login(member_of(owner))
    response = client.get(url)
    assert response.status_code == 200 and b"secret plan" in b"".join(response.streaming_content)


def test_challenge_form_offers_only_own_organizations_and_their_people(client):
    own = make_org()
    user = member_of(own)
    colleague = member_of(own)
    stranger_org = make_org()
    stranger = member_of(stranger_org)
    client.force_login(user)
    form = client.get("/matching/challenges/add/").context["form"]
    assert set(form.fields["owner"].queryset) == {own}
    assert set(form.fields["reviewers"].queryset) == {user, colleague}
    response = client.post("/matching/challenges/add/", {"owner": stranger_org.pk, "title": "x", "currency": "IRR",
                                                         "visibility": "public", "reviewers": [stranger.pk]})
    assert response.status_code == 400
    assert not mm.Challenge.objects.filter(owner=stranger_org).exists()
