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

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from khooshe.registry.models import Organization, Region, Relation, RelationType

from .models import Booking, Site, Space, SpaceKind
from .models import Audience as A
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
    bookings = _bookings(user, spaces, residents, rng) if residents else 0
    return _("%(sites)s hubs with %(spaces)s spaces and %(bookings)s bookings around today") % {
        "sites": len(sites), "spaces": Space.objects.filter(site__in=sites).count(),
        "bookings": Booking.objects.filter(space__site__in=sites).count() or bookings}


def remove_demo() -> None:
    """Delete the demo hubs' sites and everything in them (their operators protect the sites)."""
    Site.objects.filter(operator__name_en__in=[FACTORY, *HOUSES], operator__external_id__startswith="demo-").delete()
