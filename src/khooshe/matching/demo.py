"""The matchmaking part of the Kerman demo (``khooshe demo``): real-sounding problems of the province's large
companies and public bodies, posted as challenges, with proposals, a review and an award.

Solvers are chosen from the demo's own knowledge-based companies and startups by what their capabilities say,
so the recommendations on each challenge's page and the proposals agree with each other.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from khooshe.registry.models import Organization, OrganizationKind, Region, Sector

from .models import Challenge, Proposal
from .services import award_proposal, create_criterion, open_challenge, start_evaluation, submit_review

# owner (English name in the demo's anchors), Persian RFP fields, ISIC codes, words a solver's capabilities
# should contain, and how far the challenge has gone
CHALLENGES = [
    dict(owner="Sarcheshmeh Copper Complex", sectors=["0729", "2420"], words=["پایش", "داده", "هوش"],
         stage="awarded", budget=(8_000_000_000, 15_000_000_000),
         title="پایش برخط سایش آسترهای آسیاهای نیمه‌خودشکن",
         background="آسترهای آسیاهای نیمه‌خودشکن کارخانه تغلیظ هر چند ماه تعویض می‌شوند و هر توقف برنامه‌ریزی‌نشده "
                    "چند روز تولید را متوقف می‌کند.",
         problem="روشی برای برآورد برخط ضخامت باقی‌مانده آستر از روی داده‌های ارتعاش، توان و صدای آسیا بدون توقف "
                 "آسیا می‌خواهیم.",
         constraints="نصب حسگر فقط روی بدنه بیرونی؛ داده‌ها از شبکه کارخانه خارج نمی‌شود.",
         success="خطای برآورد ضخامت کمتر از ۱۰ درصد و هشدار دست‌کم دو هفته پیش از رسیدن به حد تعویض."),
    dict(owner="Rafsanjan Pistachio Processing Co.", sectors=["1030", "0163"], words=["پسته", "آفلاتوکسین", "بینایی"],
         stage="evaluating", budget=(2_000_000_000, 4_000_000_000),
         title="جداسازی خودکار پسته آلوده به آفلاتوکسین در خط فرآوری",
         background="محموله‌های صادراتی پسته به دلیل آفلاتوکسین برگشت می‌خورند و جداسازی دستی کند و پرخطاست.",
         problem="دستگاه یا روشی برای جداسازی دانه‌های مشکوک به آلودگی با سرعت دست‌کم دو تن در ساعت.",
         constraints="سازگار با نوار نقاله موجود؛ بدون مواد شیمیایی روی محصول.",
         success="کاهش دست‌کم ۸۰ درصدی دانه‌های آلوده در نمونه‌برداری آزمایشگاه مرجع."),
    dict(owner="Kerman Motor Co.", sectors=["2910", "2592"], words=["قطعه", "ماشین", "تراشکاری"],
         stage="open", budget=(1_000_000_000, 3_000_000_000),
         title="بومی‌سازی قالب‌های تزریق قطعات پلاستیکی داشبورد",
         background="قالب‌های تزریق چند قطعه داشبورد وارداتی است و تأمین آن‌ها ماه‌ها طول می‌کشد.",
         problem="طراحی و ساخت قالب تزریق برای سه قطعه با تلرانس و کیفیت سطح برابر نمونه خارجی.",
         constraints="فولاد قالب از بازار داخل؛ تحویل نمونه اول در چهار ماه.",
         success="تأیید نمونه اول در آزمون ابعادی و تولید آزمایشی ۵۰۰ قطعه بدون عیب."),
    dict(owner="Kerman Province Agriculture Jihad Organization", sectors=["0125", "0161"], words=["آب", "آبیاری", "کشاورزی"],
         stage="open", budget=(500_000_000, 1_500_000_000),
         title="کاهش مصرف آب باغ‌های پسته با آبیاری هوشمند",
         background="افت سطح آب زیرزمینی دشت رفسنجان باغ‌های پسته را تهدید می‌کند.",
         problem="سامانه‌ای ارزان برای زمان‌بندی آبیاری بر پایه رطوبت خاک و تبخیر که باغدار کوچک هم بتواند بخرد.",
         constraints="بدون نیاز به اینترنت پیوسته در باغ؛ قیمت هر هکتار کمتر از ده میلیون ریال.",
         success="کاهش دست‌کم ۲۰ درصدی مصرف آب در دو باغ نمونه بدون افت محصول."),
]


SOLVER_KINDS = (OrganizationKind.KNOWLEDGE_BASED, OrganizationKind.STARTUP, OrganizationKind.SME,
                OrganizationKind.RESEARCH, OrganizationKind.UNIVERSITY)


def _solvers(challenge: Challenge, words: list[str], owner: Organization, count: int, user) -> list[Organization]:
    """The product's own recommendations for the challenge; when the search index cannot answer (it is rebuilt
    after the registry demo commits), organizations whose capabilities contain the challenge's words."""
    from .recommend import recommend_solvers

    try:
        ranked = recommend_solvers(challenge, user=user, limit=30, explain=False).items
    except Exception:  # noqa: BLE001 - the demo goes on with the keyword choice below
        ranked = []
    found = [r.object for r in ranked if r.object.kind in SOLVER_KINDS][:count]
    if len(found) == count:
        return found
    condition = Q()
    for word in words:
        condition |= Q(capabilities__icontains=word)
    candidates = (Organization.objects.filter(condition, kind__in=SOLVER_KINDS)
                  .exclude(pk__in=[owner.pk, *(o.pk for o in found)]).order_by("external_id"))
    found += list(candidates[:count - len(found)])
    if len(found) < count:  # the demo always has knowledge-based companies: fill up with them
        found += list(Organization.objects.filter(kind=OrganizationKind.KNOWLEDGE_BASED)
                      .exclude(pk__in=[o.pk for o in found] + [owner.pk]).order_by("external_id")[:count - len(found)])
    return found


@transaction.atomic
def load_demo(*, user) -> str:
    """Post the demo's challenges (once) and return one line for the demo summary ("" when nothing was done)."""
    owners = {o.name_en: o for o in Organization.objects.filter(name_en__in=[c["owner"] for c in CHALLENGES])}
    if len(owners) < len(CHALLENGES) or Challenge.objects.filter(title=CHALLENGES[0]["title"]).exists():
        return ""
    kerman = Region.objects.filter(code="IR-108").first()
    today = timezone.localdate()
    proposals = 0
    for spec in CHALLENGES:
        owner = owners[spec["owner"]]
        challenge = Challenge.objects.create(
            owner=owner, title=spec["title"], background=spec["background"], problem_statement=spec["problem"],
            constraints=spec["constraints"], success_criteria=spec["success"], budget_min=spec["budget"][0],
            budget_max=spec["budget"][1], deadline=today + dt.timedelta(days=45), region=kerman,
            start_date=today + dt.timedelta(days=60), end_date=today + dt.timedelta(days=240),
            ip_terms="مالکیت فکری نتایج مشترک است؛ حق بهره‌برداری انحصاری در استان با مالک مسئله.",
            confidentiality_terms="اطلاعات فنی مالک مسئله محرمانه است و پس از انتخاب، قرارداد عدم افشا امضا می‌شود.")
        challenge.sectors.set(Sector.objects.filter(scheme="ISIC4", code__in=spec["sectors"]))
        challenge.reviewers.add(user)
        challenge = open_challenge(user=user, challenge=challenge)
        if spec["stage"] == "open":
            continue
        criteria = [create_criterion(user=user, challenge=challenge, name=name, weight=Decimal(weight))
                    for name, weight in (("راه‌حل فنی", 3), ("تجربه و سابقه تیم", 2), ("هزینه و زمان", 1))]
        made = []
        for rank, solver in enumerate(_solvers(challenge, spec["words"], owner, 3, user)):
            made.append(Proposal.objects.create(
                challenge=challenge, solver=solver, price=spec["budget"][0] + rank * 700_000_000,
                duration_days=120 + 30 * rank, summary=f"پیشنهاد {solver.name_fa} برای «{challenge.title}»",
                approach="نمونه‌سازی در کارگاه، آزمون در محل مالک مسئله و سپس استقرار کامل با آموزش کارکنان."))
        proposals += len(made)
        challenge = start_evaluation(user=user, challenge=challenge)
        for rank, proposal in enumerate(made):
            proposal.challenge = challenge
            submit_review(user=user, proposal=proposal, comment="بررسی کارشناس خوشه",
                          scores={c.pk: max(1, 5 - rank - i % 2) for i, c in enumerate(criteria)})
        if spec["stage"] == "awarded":
            award_proposal(user=user, proposal=made[0])
    return _("%(challenges)s challenges of the province's companies with %(proposals)s proposals") % {
        "challenges": len(CHALLENGES), "proposals": proposals}


def remove_demo() -> None:
    """Delete the demo's challenges (and their proposals and reviews)."""
    Challenge.objects.filter(title__in=[c["title"] for c in CHALLENGES]).delete()
