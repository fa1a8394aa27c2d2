"""Record makers for the matching app's tests (see factories.py for the registry's)."""

from __future__ import annotations

from factories import make_org, make_role, make_user, seq

from khooshe.matching import models as mm


def make_challenge(owner=None, **kw) -> mm.Challenge:
    n = seq()
    defaults = {"owner": owner or make_org(), "title": f"چالش کاهش مصرف آب {n}",
                "problem_statement": f"مسئله شماره {n}: تصفیه پساب صنعتی", "budget_max": 1000 * n,
                "status": mm.Challenge.Status.OPEN}
    defaults.update(kw)
    sectors = defaults.pop("sectors", None)
    challenge = mm.Challenge.objects.create(**defaults)
    if sectors:
        challenge.sectors.set(sectors)
    return challenge


def make_challenges(n: int = 3) -> list[mm.Challenge]:
    statuses = ["open", "evaluating", "closed"]
    return [make_challenge(status=statuses[i % 3], budget_max=(i + 1) * 5000) for i in range(n)]


def make_profile(owner=None, **kw) -> mm.Profile:
    n = seq()
    defaults = {"owner": owner or make_org(), "kind": "offer", "title": f"فناوری غشایی {n}",
                "summary": f"خلاصه پیشنهاد {n}", "stage": "prototype"}
    defaults.update(kw)
    return mm.Profile.objects.create(**defaults)


def make_profiles(n: int = 3) -> list[mm.Profile]:
    kinds = ["offer", "request", "offer"]
    stages = ["idea", "prototype", "market"]
    return [make_profile(kind=kinds[i % 3], stage=stages[i % 3]) for i in range(n)]


def make_proposal(challenge=None, solver=None, **kw) -> mm.Proposal:
    n = seq()
    defaults = {"challenge": challenge or make_challenge(), "solver": solver or make_org(),
                "summary": f"راه‌حل {n}", "price": 100 * n, "duration_days": n}
    defaults.update(kw)
    return mm.Proposal.objects.create(**defaults)


def make_proposals(n: int = 3) -> list[mm.Proposal]:
    return [make_proposal() for _ in range(n)]


def make_criterion(challenge=None, **kw) -> mm.Criterion:
    n = seq()
    defaults = {"challenge": challenge or make_challenge(), "name": f"معیار {n}", "weight": n % 5 + 1}
    defaults.update(kw)
    return mm.Criterion.objects.create(**defaults)


def make_criteria(n: int = 3) -> list[mm.Criterion]:
    return [make_criterion() for _ in range(n)]


def member_of(org, username=None):
    """A user who is a member of ``org``."""
    user = make_user(username)
    make_role(user=user, kind="member", organization=org)
    return user
