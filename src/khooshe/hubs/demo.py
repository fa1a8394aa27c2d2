"""The hubs part of the Kerman demo (``khooshe demo``): the Kerman innovation factory and the creative houses
of Kerman, Rafsanjan and Bam, with their spaces and a fortnight of bookings around today.

The factory is laid out after the one the seed describes (a large hall of coworking and offices, meeting
rooms, a conference hall, labs and studios); the 32 startups that the registry demo makes members of the
factory are its residents. Everything goes through the services, as an operator's clicks would.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from khooshe.registry.models import Organization, Region, Relation, RelationType

from .models import Audience as A
from .models import Booking, Site, Space, SpaceKind
from .selectors import opening_window
from .services import BookingError, add_default_opening_hours, create_booking

FACTORY = "Kerman Innovation Factory"
HOUSES = ("Kerman Creative House", "Rafsanjan Creative House", "Bam Creative House")

# (name, kind, capacity, area m², price per hour (rials), credits per hour, who may book, children)
K = SpaceKind
FACTORY_SPACES = [
    ("سالن نوآوری ۱", K.BUILDING, 300, 2400, 0, 0, A.STAFF, [
        ("طبقه همکف", K.FLOOR, 150, 1200, 0, 0, A.STAFF, [
            ("فضای کار اشتراکی", K.HOT_DESK, 60, 450, 150_000, 0, A.LINKED, []),
            *[(f"میز اختصاصی {n}", K.DEDICATED_DESK, 1, 6, 0, 0, A.STAFF, []) for n in range(1, 13)],
            ("اتاق جلسه ارگ", K.MEETING_ROOM, 8, 24, 1_200_000, 1, A.RESIDENTS, []),
            ("اتاق جلسه گنجعلی‌خان", K.MEETING_ROOM, 12, 36, 1_800_000, 1.5, A.LINKED, []),
            ("سالن همایش", K.CONFERENCE_HALL, 180, 320, 12_000_000, 0, A.STAFF, []),
        ]),
        ("طبقه اول", K.FLOOR, 150, 1200, 0, 0, A.STAFF, [
            *[(f"دفتر {n}", K.PRIVATE_OFFICE, 6, 30, 0, 0, A.STAFF, []) for n in range(101, 109)],
            ("اتاق جلسه شازده", K.MEETING_ROOM, 6, 18, 900_000, 1, A.RESIDENTS, []),
            ("کارگاه ساخت (فب‌لب)", K.LAB, 16, 140, 2_500_000, 2, A.RESIDENTS, []),
            ("استودیو پادکست", K.STUDIO, 4, 20, 1_000_000, 1, A.LINKED, []),
            ("اتاق واقعیت مجازی", K.XR_ROOM, 6, 40, 2_000_000, 2, A.RESIDENTS, []),
        ]),
    ]),
    ("فضای رویداد حیاط", K.EVENT_SPACE, 250, 600, 8_000_000, 0, A.STAFF, []),
]
HOUSE_SPACES = [
    ("سالن کار اشتراکی", K.HOT_DESK, 30, 220, 100_000, 0, A.LINKED, []),
    ("اتاق جلسه", K.MEETING_ROOM, 10, 30, 800_000, 1, A.LINKED, []),
    ("کارگاه صنایع‌دستی", K.LAB, 12, 90, 1_000_000, 1, A.RESIDENTS, []),
    ("سالن رویداد", K.EVENT_SPACE, 80, 160, 4_000_000, 0, A.STAFF, []),
]


def _add_spaces(site: Site, specs, parent: Space | None = None) -> list[Space]:
    made = []
    for name, kind, capacity, area, price, credits, audience, children in specs:
        space = Space(site=site, parent=parent, name=name, kind=kind, capacity=capacity, area_m2=Decimal(area),
                      price_per_hour=price, credits_per_hour=Decimal(str(credits)), bookable_by=audience,
                      bookable=kind not in (K.BUILDING, K.FLOOR), min_minutes=30,
                      max_minutes=10 * 60 if kind in (K.CONFERENCE_HALL, K.EVENT_SPACE) else 4 * 60,
                      free_cancellation_hours=24 if kind in (K.CONFERENCE_HALL, K.EVENT_SPACE) else 2)
        space.full_clean()
        space.save()
        made += [space, *_add_spaces(site, children, space)]
    return made


def _site(operator: Organization, name: str, area: int, address: str) -> Site:
    site = Site(name=name, operator=operator, region=operator.region or Region.objects.filter(code="IR-108").first(),
                area_m2=area, address=address)
    site.full_clean()
    site.save()
    add_default_opening_hours(site=site)
    return site


def factory_residents(factory: Organization) -> list[Organization]:
    """The startups the registry demo makes members of the factory, in a fixed order."""
    ids = Relation.objects.filter(type=RelationType.MEMBERSHIP, target=factory).values_list("source_id", flat=True)
    return list(Organization.objects.filter(pk__in=ids).order_by("external_id"))


def _residents(user, site: Site, spaces: list[Space], residents: list[Organization], rng: random.Random) -> int:
    """Plans, contracts and each resident's journey so far: private offices for the teams furthest along,
    dedicated desks for the next ones, hot desks for the rest; stage moves through the gate with their KPI
    snapshots; three teams graduated (their residencies have ended)."""
    from .residents.models import HubPlan, PlanKind, Residency
    from .residents.services import ensure_journey_stages, move_stage, save_residency

    plans = {kind: HubPlan.objects.create(site=site, name=name, kind=kind, monthly_price=price,
                                          monthly_credits=Decimal(credits), desks_included=desks)
             for kind, name, price, credits, desks in (
                 (PlanKind.HOT_DESK, "میز اشتراکی", 35_000_000, 4, 3),
                 (PlanKind.DEDICATED_DESK, "میز اختصاصی", 60_000_000, 8, 1),
                 (PlanKind.PRIVATE_OFFICE, "دفتر خصوصی", 240_000_000, 20, 6))}
    with translation.override("fa"):  # the default journey is named in the site's language
        stages = [s for s in ensure_journey_stages(site=site)]
    path = [s for s in stages if not s.outcome]
    graduation = next(s for s in stages if s.outcome == "graduated")
    offices = [s for s in spaces if s.kind == K.PRIVATE_OFFICE]
    desks = [s for s in spaces if s.kind == K.DEDICATED_DESK]
    hot = [s for s in spaces if s.kind == K.HOT_DESK]
    today = timezone.localdate()
    for n, organization in enumerate(residents):
        if n < len(offices):
            kind, taken = PlanKind.PRIVATE_OFFICE, [offices[n]]
        elif n < len(offices) + len(desks):
            kind, taken = PlanKind.DEDICATED_DESK, [desks[n - len(offices)]]
        else:
            kind, taken = PlanKind.HOT_DESK, hot[:1]
        start = today - dt.timedelta(days=rng.randint(200, 900))
        residency = save_residency(residency=Residency(site=site, organization=organization, hub_plan=plans[kind],
                                                       start_date=start, deposit=plans[kind].monthly_price),
                                   spaces=taken)
        # the teams with offices are furthest along; three hot-desk teams have graduated
        graduate = kind == PlanKind.HOT_DESK and n >= len(residents) - 3
        steps = len(path) - 1 if graduate else {PlanKind.PRIVATE_OFFICE: rng.randint(3, 5),
                                                   PlanKind.DEDICATED_DESK: rng.randint(1, 3)}.get(kind, rng.randint(0, 2))
        targets = path[1:1 + steps] + ([graduation] if graduate else [])
        day, headcount, funds = start, rng.randint(2, 4), 0
        for target in targets:
            day = min(today, day + dt.timedelta(days=rng.randint(40, 120)))
            headcount += rng.randint(0, 3)
            funds += rng.choice([0, 0, 2_000_000_000, 5_000_000_000, 12_000_000_000])
            move_stage(user=user, residency=residency, to_stage=target, moved_on=day, checklist=target.criteria,
                       evidence_link="https://example.org/demo/evidence" if target.evidence_kinds else "",
                       note="تصمیم کمیته ارزیابی کارخانه",
                       kpi={"headcount": headcount, "funds_raised": funds, "customers": rng.randint(0, 40) * steps,
                            "patents": rng.choice([0, 0, 1]),
                            "revenue_band": rng.choice(["none", "lt1b", "1to10b"])})
    return len(residents)


def _bookings(user, spaces: list[Space], residents: list[Organization], rng: random.Random) -> int:
    """Meetings and workshops of residents from a week ago to a week ahead, during opening hours; a slot that
    is taken or closed (a holiday) is simply skipped, as a member trying another time would."""
    rooms = [s for s in spaces if s.kind in (K.MEETING_ROOM, K.LAB, K.STUDIO, K.XR_ROOM)]
    tz = spaces[0].site.tzinfo
    today = timezone.localdate()
    made = 0
    titles = ["جلسه با مشتری", "جلسه تیم", "ارائه به سرمایه‌گذار", "کارگاه طراحی محصول", "مصاحبه استخدامی",
              "جلسه منتور", "آزمون نمونه اولیه"]
    for offset in range(-7, 8):
        day = today + dt.timedelta(days=offset)
        for room in rooms:
            for _attempt in range(rng.randint(1, 4)):
                hour = rng.randint(8, 18)
                start = dt.datetime.combine(day, dt.time(hour, rng.choice([0, 30])), tzinfo=tz)
                end = start + dt.timedelta(minutes=rng.choice([60, 90, 120]))
                try:
                    # past bookings are written as they were made then (``now`` a day before)
                    create_booking(user=user, space=room, start=start, end=end, title=rng.choice(titles),
                                   organization=rng.choice(residents), now=start - dt.timedelta(days=1))
                    made += 1
                except BookingError:
                    continue
    return made


def _events(user, site: Site, spaces: list[Space], residents: list[Organization], rng: random.Random) -> int:
    """A demo day held last week with its attendance, and two coming events: a public one nearly full with a
    waiting list, and a members' one."""
    from .events.models import Event, EventAudience
    from .events.services import check_in, publish_event, register, save_event

    hall = next(s for s in spaces if s.kind == K.EVENT_SPACE)
    conference = next(s for s in spaces if s.kind == K.CONFERENCE_HALL)
    tz = site.tzinfo
    today = timezone.localdate()
    specs = [
        ("روز نمایش استارتاپ‌های کارخانه", hall, -6, 16, 40, EventAudience.PUBLIC, 34),
        ("کارگاه جذب سرمایه برای تیم‌های نوپا", conference, 5, 10, 30, EventAudience.PUBLIC, 33),
        ("دورهمی ماهانه مستقرها", hall, 12, 17, 60, EventAudience.MEMBERS, 12),
    ]
    names = ["سارا", "علی", "مریم", "رضا", "زهرا", "حسین", "فاطمه", "محمد", "نرگس", "امیر"]
    families = ["کرمانی", "رفسنجانی", "احمدی", "محمدی", "حسینی", "رضایی", "کاظمی", "شریفی"]
    made = 0
    for title, space, offset, hour, capacity, audience, people in specs:
        day = today + dt.timedelta(days=offset)
        while opening_window(site, day) is None:  # not on a Friday or a holiday
            day += dt.timedelta(days=1)
        start = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
        if start < timezone.now():
            space = None  # a room cannot be booked in the past: the demo day's place is in its description
        when = start - dt.timedelta(days=20)  # written as it was then: published and filled before the day
        event = Event(site=site, space=space, title=title, start=start, end=start + dt.timedelta(hours=3),
                      capacity=capacity, audience=audience, waiting_list=True, created_by=user,
                      description="برنامه‌ای از کارخانه نوآوری کرمان برای زیست‌بوم استارتاپی استان.",
                      registration_opens=when, registration_closes=start)
        event = publish_event(user=user, event=save_event(user=user, event=event))
        registrations = []
        if audience != EventAudience.PUBLIC:  # members sign in to register: the demo's resident account does
            member = get_user_model().objects.filter(username="demo-startup").first()
            if member is not None:
                registrations.append(register(event=event, user=member, now=when))
            people = 0
        for n in range(people):
            name = f"{names[n % len(names)]} {families[(n * 3) % len(families)]}"
            registrations.append(register(event=event, name=name, email=f"guest{n + 1}@demo.example",
                                          now=when + dt.timedelta(hours=n)))
        if offset < 0:
            for registration in registrations[:capacity]:
                if rng.random() < 0.8:
                    check_in(user=user, event=event, code=registration.code, now=start + dt.timedelta(minutes=10))
        made += 1
    return made


def _services(user, site: Site, residents: list[Organization], rng: random.Random) -> int:
    """The factory's catalogue, with requests of residents at every step of the workflow."""
    from .catalogue.models import Service as HubService
    from .catalogue.models import ServiceAudience, ServiceKind, ServiceRequest
    from .catalogue.services import assign, rate, request_service, set_status

    lawyers = Organization.objects.filter(kind="service_provider", external_id__startswith="demo-").order_by("pk")
    catalogue = [
        ("مشاوره حقوقی و تنظیم قرارداد", ServiceKind.LEGAL, 0, ServiceAudience.RESIDENTS),
        ("حسابداری و اظهارنامه مالیاتی", ServiceKind.ACCOUNTING, 15_000_000, ServiceAudience.RESIDENTS),
        ("ثبت اختراع و علامت تجاری", ServiceKind.IP, 25_000_000, ServiceAudience.LINKED),
        ("معرفی به صندوق‌های سرمایه‌گذاری", ServiceKind.FINANCING, 0, ServiceAudience.RESIDENTS),
        ("بازاریابی دیجیتال و برندسازی", ServiceKind.MARKETING, 10_000_000, ServiceAudience.MEMBERS),
        ("دسترسی به کارگاه ساخت", ServiceKind.LAB, 0, ServiceAudience.LINKED),
    ]
    services = []
    for n, (name, kind, price, audience) in enumerate(catalogue):
        service = HubService(site=site, name=name, kind=kind, price=price, audience=audience,
                             provider=lawyers[n % lawyers.count()] if lawyers.exists() and n < 3 else None,
                             description="خدمتی از سبد خدمات کارخانه نوآوری کرمان برای مستقرها.")
        service.full_clean()
        service.save()
        services.append(service)
    steps = [ServiceRequest.Status.ASSIGNED, ServiceRequest.Status.IN_PROGRESS, ServiceRequest.Status.DONE]
    for n, organization in enumerate(residents[:12]):
        request = request_service(user=user, service=services[n % len(services)], organization=organization,
                                  description="برای گام بعدی کسب‌وکارمان به این خدمت نیاز داریم.")
        last = n % 4  # 0: waits, 1: assigned, 2: in progress, 3: done and rated
        if last:
            request = assign(user=user, request=request, to_user=user)
        for status in steps[1:last]:
            request = set_status(user=user, request=request, status=status)
        if last == 3 and request.requested_by_id == user.pk:
            rate(user=user, request=request, rating=rng.choice([4, 5, 5, 3]), comment="کار دقیق و به‌موقع بود.")
    return len(services)


def _network(user, operators: dict[str, Organization], sites: list[Site]) -> None:
    """The network of Kerman's creative houses (with the factory): members of a linked house may book
    coworking desks and meeting rooms of every house at the residents' price and attend members' events."""
    from .network.models import HubNetwork, LinkRule

    coordinator = operators.get("Kerman Creative House") or operators[FACTORY]
    network = HubNetwork.objects.create(name="شبکه خانه‌های خلاق و نوآوری استان کرمان", coordinator=coordinator,
                                        description="پیوند خانه‌های خلاق استان با کارخانه نوآوری کرمان، "
                                                    "برای استفاده مشترک از فضاها، رویدادها و خدمات.")
    network.members.set(operators.values())
    for site in sites:
        LinkRule.objects.create(site=site, network=network, space_kinds=[K.HOT_DESK, K.MEETING_ROOM, K.STUDIO],
                                price_factor=Decimal("1.00"), can_attend_events=True, can_request_services=True)


def _siting(user, factory_operator: Organization) -> None:
    """Where to open the next factory, in Rafsanjan: four disused industrial buildings ranked with TOPSIS."""
    from .siting.models import CandidateSite, PointOfInterest, RankingMethod, SitingStudy
    from .siting.services import add_default_criteria, save_values, set_weights

    study = SitingStudy.objects.create(
        name="مکان‌یابی کارخانه نوآوری رفسنجان", owner=factory_operator, created_by=user, published=True,
        region=Region.objects.filter(name_fa__contains="رفسنجان").first(), method=RankingMethod.TOPSIS,
        description="چهار کارخانه و انبار متروک شهر رفسنجان برای تبدیل به کارخانه نوآوری، به روش شاخص‌های "
                    "مکان‌یابی سند کارخانه‌های نوآوری.")
    with translation.override("fa"):
        criteria = {c.key: c for c in add_default_criteria(study=study)}
    points = [("km_university", "دانشگاه ولی‌عصر رفسنجان", 30.4067, 55.9934),
              ("km_airport", "فرودگاه رفسنجان", 30.2977, 56.0511),
              ("km_transit", "پایانه مسافربری رفسنجان", 30.3885, 55.9772),
              ("km_industry", "شهرک صنعتی رفسنجان", 30.3457, 56.0542)]
    for key, name, lat, lon in points:
        PointOfInterest.objects.create(study=study, criterion=criteria[key], name=name, latitude=lat, longitude=lon)
    candidates = [("کارخانه پنبه پاک‌کنی قدیم", 30.4012, 55.9871, 4, 4, 6800, 180),
                  ("انبار غله کنار راه‌آهن", 30.3795, 56.0105, 3, 3, 4200, 95),
                  ("کارخانه آجر متروک جاده کرمان", 30.3551, 56.0420, 5, 2, 9100, 140),
                  ("سردخانه قدیمی پسته", 30.4150, 55.9760, 3, 5, 3100, 120)]
    values = {}
    for name, lat, lon, road, utilities, area, cost in candidates:
        candidate = CandidateSite.objects.create(study=study, name=name, latitude=lat, longitude=lon,
                                                 address=f"رفسنجان، {name}")
        values[candidate.pk] = {"road_access": road, "utilities": utilities, "area_m2": area, "cost": cost}
    save_values(study=study, values=values)
    weights = {"km_university": 3, "km_airport": 1, "km_transit": 2, "km_industry": 2, "road_access": 1,
               "utilities": 2, "area_m2": 2, "cost": 3}
    set_weights(study=study, weights={c.pk: weights.get(key, 1) for key, c in criteria.items()},
                method=RankingMethod.TOPSIS)


def _cohorts(user, site: Site, residents: list[Organization], rng: random.Random) -> int:
    """An acceleration program with the pistachio cluster's processor as partner: last season's call reviewed and
    decided, and the next call open now."""
    from .cohorts.models import CallCriterion, CallQuestion, Cohort, CohortCall, HubProgram
    from .cohorts.services import (
        assign_reviewer,
        decide_application,
        save_application,
        submit_review,
    )

    partner = Organization.objects.filter(name_en="Rafsanjan Pistachio Processing Co.").first()
    program = HubProgram.objects.create(
        site=site, name="شتاب‌دهی فناوری‌های کشاورزی و فرآوری پسته", kind=HubProgram.Kind.CORPORATE,
        partner=partner, description="برنامه چهار ماهه شتاب‌دهی با همراهی یک فرآوری‌کننده بزرگ پسته.",
        benefits="فضای کار، ۵۰۰ میلیون ریال سرمایه اولیه، منتورهای صنعت و آزمون محصول در خط فرآوری شریک.")
    today = timezone.localdate()
    past = Cohort.objects.create(program=program, name="دوره پاییز", capacity=3, status=Cohort.Status.RUNNING,
                                 start_date=today - dt.timedelta(days=20), end_date=today + dt.timedelta(days=100))
    coming = Cohort.objects.create(program=program, name="دوره بهار", capacity=5, status=Cohort.Status.CALL_OPEN,
                                   start_date=today + dt.timedelta(days=120), end_date=today + dt.timedelta(days=240))
    calls = []
    for cohort, opens, closes in ((past, -80, -35), (coming, -5, 30)):
        call = CohortCall.objects.create(cohort=cohort, title=f"فراخوان {cohort.name}",
                                         opens_on=today + dt.timedelta(days=opens),
                                         closes_on=today + dt.timedelta(days=closes))
        for order, (label, kind, choices) in enumerate((
                ("مسئله‌ای که حل می‌کنید چیست؟", CallQuestion.Kind.LONG_TEXT, ""),
                ("تعداد اعضای تیم", CallQuestion.Kind.NUMBER, ""),
                ("مرحله محصول", CallQuestion.Kind.CHOICE, "ایده\nنمونه اولیه\nفروش اولیه"),
                ("نشانی ارائه یا ویدئوی محصول", CallQuestion.Kind.LINK, "")), start=1):
            CallQuestion.objects.create(call=call, order=order, label=label, kind=kind, choices=choices,
                                        required=kind != CallQuestion.Kind.LINK)
        for name, weight in (("تیم", 3), ("بازار و مسئله", 2), ("فناوری", 2), ("تناسب با شریک", 1)):
            CallCriterion.objects.create(call=call, name=name, weight=Decimal(weight))
        calls.append(call)
    applicants = (Organization.objects.filter(kind="startup", external_id__startswith="demo-")
                  .exclude(pk__in=[o.pk for o in residents]).order_by("external_id")[:6])
    tz = site.tzinfo
    submitted = dt.datetime.combine(calls[0].opens_on + dt.timedelta(days=10), dt.time(12), tzinfo=tz)
    decisions = ["accepted", "accepted", "accepted", "waitlisted", "rejected", None]
    criteria = list(calls[0].criteria.all())
    reviewer = get_user_model().objects.filter(username="demo-factory").first()  # the factory's staff reviews
    for n, organization in enumerate(applicants):
        question = list(calls[0].questions.order_by("order"))
        answers = {f"q{question[0].pk}": "کاهش ضایعات پسته در مرحله پوست‌گیری با بینایی ماشین.",
                   f"q{question[1].pk}": str(rng.randint(2, 7)), f"q{question[2].pk}": "نمونه اولیه"}
        application = save_application(user=user, call=calls[0], answers=answers, organization=organization,
                                       submit=True, now=submitted + dt.timedelta(days=n))
        if reviewer is None:
            continue
        assign_reviewer(user=user, application=application, reviewer=reviewer)
        submit_review(user=reviewer, application=application, comment="ارزیابی کمیته برنامه",
                      scores={c.pk: max(1, 5 - n // 2 - (i % 2)) for i, c in enumerate(criteria)},
                      now=submitted + dt.timedelta(days=20))
        if decisions[n]:
            decide_application(user=user, application=application, decision=decisions[n],
                               note="تصمیم کمیته برنامه", now=submitted + dt.timedelta(days=30))
    return len(applicants)


@transaction.atomic
def load_demo(*, user) -> str:
    """Create the demo's hubs (once) and return one line for the demo summary ("" when nothing was done)."""
    operators = {o.name_en: o for o in Organization.objects.filter(name_en__in=[FACTORY, *HOUSES])}
    if FACTORY not in operators or Site.objects.filter(operator=operators[FACTORY]).exists():
        return ""
    rng = random.Random(1404)
    factory = _site(operators[FACTORY], "کارخانه نوآوری کرمان", 9500, "کرمان، بلوار جمهوری، کارخانه قدیمی ریسندگی")
    spaces = _add_spaces(factory, FACTORY_SPACES)
    sites = [factory]
    for name_en in HOUSES:
        if name_en in operators:
            house = _site(operators[name_en], operators[name_en].name_fa, 1200, operators[name_en].address)
            _add_spaces(house, HOUSE_SPACES)
            house.linked_hubs.set([o for n, o in operators.items() if n != name_en])  # the houses' network
            sites.append(house)
    factory.linked_hubs.set([o for n, o in operators.items() if n != FACTORY])
    residents = factory_residents(operators[FACTORY])
    _residents(user, factory, spaces, residents, rng)
    _bookings(user, spaces, residents, rng)
    _events(user, factory, spaces, residents, rng)
    _services(user, factory, residents, rng)
    _network(user, operators, sites)
    _siting(user, operators[FACTORY])
    _cohorts(user, factory, residents, rng)
    return _("%(sites)s hubs with %(spaces)s spaces, %(residents)s residents on their journey and %(bookings)s "
             "bookings around today") % {
        "sites": len(sites), "spaces": Space.objects.filter(site__in=sites).count(), "residents": len(residents),
        "bookings": Booking.objects.filter(space__site__in=sites).count()}


def remove_demo() -> None:
    """Delete the demo hubs' sites, network and studies (their organizations protect them)."""
    from .network.models import HubNetwork
    from .siting.models import SitingStudy

    HubNetwork.objects.filter(members__name_en=FACTORY, members__external_id__startswith="demo-").delete()
    SitingStudy.objects.filter(owner__name_en=FACTORY, owner__external_id__startswith="demo-").delete()
    from .residents.models import Residency

    sites = Site.objects.filter(operator__name_en__in=[FACTORY, *HOUSES], operator__external_id__startswith="demo-")
    Residency.objects.filter(site__in=sites).delete()  # contracts protect their plans and stages
    sites.delete()
