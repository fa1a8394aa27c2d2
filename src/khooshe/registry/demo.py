"""The Kerman demo ecosystem: a deterministic, realistic and fictional data set for ``khooshe demo``.

``load_demo()`` writes several hundred organizations of every kind across Kerman province's counties,
the people who run and advise them, a few thousand relations with the structure of real clusters
(growers → processors → exporters; SME suppliers of the copper majors; firms with universities, funds
and public bodies), four clusters with their development agents and members, a few agreements and
three demo user accounts.

How it works: ``build_plan()`` generates the whole ecosystem in memory from the package data in
``registry/data/demo/`` and one ``random.Random(SEED)``, so the plan (names, IDs, order, coordinates)
is the same on every machine and every run; ``load_demo()`` then writes it with ``bulk_create`` in one
transaction. Every demo organization, person and relation has an ``external_id`` starting with
``demo-``: that is how a loaded demo is recognised (loading again skips) and removed (``remove_demo``).

Names of public bodies and well-known companies are used for realism; every figure, relation, national
ID (synthetic, with a valid check digit), person and text is invented.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import import_module
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from khooshe.core.page_cache import bump_page_cache
from khooshe.core.text import fold, normalize

from .validators import iranian_legal_id_is_valid, make_iranian_legal_id

SEED = 1404
AS_OF = date(2025, 3, 20)  # the demo describes the ecosystem on this day (Nowruz 1404)
PREFIX = "demo-"
PASSWORD = "khooshe-demo"
PROVINCE_CODE = "IR-108"
SECTOR_SCHEME = "ISIC4"
DATA_DIR = Path(__file__).parent / "data" / "demo"
logger = logging.getLogger(__name__)

# kinds as plain strings (models.OrganizationKind values) so that build_plan() needs no database
STARTUP, KNOWLEDGE_BASED, CREATIVE, SME, LARGE = "startup", "knowledge_based", "creative", "sme", "large"
UNIVERSITY, RESEARCH, INVESTOR, ACCELERATOR = "university", "research", "investor", "accelerator"
INNOVATION_FACTORY, CREATIVE_HOUSE, COWORKING = "innovation_factory", "creative_house", "coworking"
GOVERNMENT, CHAMBER, COOPERATIVE, NGO, SERVICE = "government", "chamber", "cooperative", "ngo", "service_provider"
FIRMS = {STARTUP, KNOWLEDGE_BASED, CREATIVE, SME, LARGE, COOPERATIVE}

SUPPLY, CUSTOMER, PARTNERSHIP, JOINT = "supply", "customer", "partnership", "joint_project"
INVESTMENT, MEMBERSHIP, TECH_TRANSFER = "investment", "membership", "tech_transfer"
MENTORING, EMPLOYMENT_FLOW = "mentoring", "employment_flow"
UNDIRECTED = {PARTNERSHIP, JOINT}
STRENGTH = {SUPPLY: (2, 5), CUSTOMER: (2, 4), PARTNERSHIP: (2, 4), JOINT: (2, 5), INVESTMENT: (3, 5),
            MEMBERSHIP: (1, 3), TECH_TRANSFER: (2, 4), MENTORING: (2, 4), EMPLOYMENT_FLOW: (1, 3)}
ENDING = {SUPPLY, CUSTOMER, JOINT, TECH_TRANSFER, MENTORING, EMPLOYMENT_FLOW}

# Demo user accounts: cluster staff of the pistachio cluster, hub staff of the innovation factory, member
# of a startup (the summary prints them with their roles).
USERNAMES = ("demo-pistachio", "demo-factory", "demo-startup")


class DemoError(RuntimeError):
    """The demo cannot be loaded (e.g. the reference data is missing)."""


# -- the plan -------------------------------------------------------------------------------------
@dataclass
class OrgPlan:
    external_id: str
    key: str
    segment: str
    kind: str
    name_fa: str
    name_en: str
    county: str
    domain: str
    sectors: list[str]
    capability_sectors: list[str]
    need_sectors: list[str]
    employee_band: str
    founding_year: int
    tech_level: str
    certification: str
    certified_from: date | None
    certified_until: date | None
    latitude: float
    longitude: float
    national_id: str | None
    website: str
    address: str
    description: str
    capabilities: str
    needs: str
    visibility: str
    theme: str = ""
    clusters: dict[str, str] = field(default_factory=dict)


@dataclass
class PersonPlan:
    external_id: str
    first_name_fa: str
    last_name_fa: str
    full_name_en: str
    kind: str
    email: str
    phone: str
    county: str
    expertise: str
    expertise_sectors: list[str]
    visibility: str
    username: str = ""
    roles: list[tuple[int, str, str, date]] = field(default_factory=list)  # (org index, role, title, start)


@dataclass
class RelationPlan:
    external_id: str
    source: int
    target: int
    type: str
    strength: int
    start_date: date
    end_date: date | None
    origin: str
    agreement: str  # agreement key or ""


@dataclass
class AgreementPlan:
    key: str
    title: str
    kind: str
    subject: str
    parties: list[int]
    signed_on: date
    start_date: date
    end_date: date | None
    visibility: str


@dataclass
class ClusterPlan:
    key: str
    name_fa: str
    name_en: str
    sectors: list[str]
    counties: list[str]
    type: str
    stage: str
    tech_level: str
    origin: str
    description: str
    agent: int = -1  # person index
    members: list[tuple[int, str, date]] = field(default_factory=list)  # (org index, role, joined on)


@dataclass
class UserPlan:
    username: str
    person: int
    role: str  # registry.models.Role.Kind value
    organization: int = -1
    cluster: str = ""


@dataclass
class Plan:
    counties: dict[str, dict]
    organizations: list[OrgPlan]
    people: list[PersonPlan]
    relations: list[RelationPlan]
    agreements: list[AgreementPlan]
    clusters: list[ClusterPlan]
    users: list[UserPlan]

    def digest(self) -> str:
        """SHA-256 of the whole plan: equal digests mean identical demo data."""
        payload = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()


# -- package data ---------------------------------------------------------------------------------
def _read_json(name: str):
    with open(DATA_DIR / name, encoding="utf-8") as f:
        return json.load(f)


@cache
def _data() -> dict:
    with open(DATA_DIR / "counties.csv", encoding="utf-8", newline="") as f:
        counties = {row["key"]: {"name_fa": normalize(row["name_fa"]), "name_en": row["name_en"],
                                 "latitude": float(row["latitude"]), "longitude": float(row["longitude"]),
                                 "weight": int(row["weight"])} for row in csv.DictReader(f)}
    return {"counties": counties, "places": _read_json("places.json"), "people": _read_json("people.json"),
            "anchors": _read_json("anchors.json")["anchors"], "segments": _read_json("segments.json")}


CLUSTERS = [
    dict(key="pistachio", name_fa="خوشه پسته کرمان", name_en="Kerman Pistachio Cluster",
         sectors=["0125", "0163", "1030", "4630"], type="traded", stage="developed", tech_level="low",
         origin="natural", since=2012,
         counties=["rafsanjan", "anar", "sirjan", "kerman", "zarand", "shahrebabak", "ravar", "bardsir", "kuhbanan"],
         description="خوشه طبیعی و صادرات‌محور پسته در رفسنجان، انار، سیرجان و کرمان: از باغداران و تعاونی‌ها "
                     "تا پایانه‌های فرآوری، صادرکنندگان، سازندگان ماشین‌آلات و آزمایشگاه‌ها. چالش‌های اصلی: "
                     "کم‌آبی، آفلاتوکسین و وابستگی به چند بازار صادراتی."),
    dict(key="copper", name_fa="خوشه مس و خدمات معدنی کرمان", name_en="Kerman Copper and Mining Services Cluster",
         sectors=["0729", "2420", "0990", "2592", "3312"], type="resource", stage="developing",
         tech_level="medium_low", origin="natural", since=2016,
         counties=["rafsanjan", "shahrebabak", "sirjan", "kerman", "zarand", "bardsir"],
         description="خوشه منبع‌محور پیرامون مجتمع‌های مس سرچشمه، میدوک و خاتون‌آباد و معادن آهن سیرجان: "
                     "بنگاه‌های کوچک ماشین‌کاری، تعمیرات، پیمانکاری و شرکت‌های دانش‌بنیان تأمین‌کننده "
                     "شرکت‌های بزرگ. هدف برنامه: بومی‌سازی قطعات و اعتمادسازی میان بنگاه‌ها."),
    dict(key="crafts_tourism", name_fa="خوشه صنایع دستی و گردشگری کرمان",
         name_en="Kerman Handicrafts and Tourism Cluster", sectors=["1393", "1392", "5510", "7911", "7912"],
         type="traded", stage="formed", tech_level="creative", origin="created", since=2018,
         counties=["kerman", "bam", "rafsanjan", "ravar", "baft", "sirjan", "rabor"],
         description="خوشه فرش دستباف، پته و صنایع دستی در کنار هتل‌ها، اقامتگاه‌های بوم‌گردی و آژانس‌ها؛ "
                     "با حمایت اداره کل میراث فرهنگی و خانه خلاق کرمان برای پیوند تولید صنایع دستی با "
                     "گردشگری کویر لوت و ارگ بم شکل گرفته است."),
    dict(key="dates", name_fa="خوشه خرمای جنوب کرمان", name_en="South Kerman Date Cluster",
         sectors=["0122", "1030", "5210"], type="resource", stage="embryonic", tech_level="low",
         origin="created", since=2021,
         counties=["bam", "jiroft", "kahnuj", "narmashir", "fahraj", "rigan", "anbarabad", "manujan",
                   "qalehganj", "rudbar", "faryab"],
         description="خوشه نوپای خرمای مضافتی بم و جیرفت: تعاونی‌های نخلداران، بسته‌بندی‌کنندگان و "
                     "سردخانه‌ها. نیاز اصلی: زنجیره سرد، برند جمعی و صادرات مستقیم."),
]

KIND_FA = {
    UNIVERSITY: "دانشگاه", RESEARCH: "مؤسسه پژوهشی", INVESTOR: "نهاد مالی و سرمایه‌گذاری",
    ACCELERATOR: "نهاد پشتیبان نوآوری", INNOVATION_FACTORY: "کارخانه نوآوری", CREATIVE_HOUSE: "خانه خلاق",
    COWORKING: "فضای کار اشتراکی", GOVERNMENT: "نهاد دولتی", CHAMBER: "تشکل اقتصادی", NGO: "سازمان مردم‌نهاد",
    SERVICE: "ارائه‌دهنده خدمات", LARGE: "شرکت بزرگ", SME: "بنگاه کوچک و متوسط", COOPERATIVE: "تعاونی",
}
STARTUP_NEEDS = ["سرمایه بذری", "مشتریان اولیه در صنعت", "منتور فروش سازمانی", "نیروی فنی",
                 "آزمایش پایلوت با شرکت‌های بزرگ", "مجوزهای قانونی", "بازاریابی دیجیتال"]
STARTUP_COUNTIES = {
    "pistachio": {"kerman": 5, "rafsanjan": 5}, "dates": {"bam": 2, "jiroft": 2, "kerman": 1},
    "mining": {"kerman": 4, "sirjan": 1, "rafsanjan": 1}, "tourism": {"kerman": 5, "bam": 1},
    "crafts": {"kerman": 6, "rafsanjan": 1}, "tech": {"kerman": 8, "rafsanjan": 1, "sirjan": 1},
    "health": {"kerman": 3, "rafsanjan": 1},
}
THEME_CLUSTER = {"pistachio": "pistachio", "mining": "copper", "tourism": "crafts_tourism",
                 "crafts": "crafts_tourism", "dates": "dates"}


def _head_of_public_body(name_fa: str) -> str:
    for start, title in (("استانداری", "استاندار"), ("فرمانداری", "فرماندار"), ("شهرداری", "شهردار"), ("سازمان", "رئیس سازمان"),
                         ("اداره کل", "مدیرکل"), ("شرکت", "مدیرعامل")):
        if name_fa.startswith(start):
            return title
    return "مدیر"


# -- building the plan ----------------------------------------------------------------------------
class _Builder:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.data = _data()
        self.counties = self.data["counties"]
        self.orgs: list[OrgPlan] = []
        self.key: dict[str, int] = {}
        self.seg: dict[str, list[int]] = {}
        self.names: set[str] = set()
        self.national_ids: set[str] = set()
        self.people: list[PersonPlan] = []
        self.person_names: set[tuple[str, str]] = set()
        self.relations: list[RelationPlan] = []
        self.rel_keys: set[tuple] = set()
        self.agreements: list[AgreementPlan] = []
        brands = self.data["places"]["brands"]
        self.brand_cycle = self._cycle(brands)

    # - small helpers -
    def _cycle(self, items: list) -> Iterator:
        while True:
            yield from self.rng.sample(items, len(items))

    def choose(self, weights: dict[str, float]) -> str:
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def day(self, year: int) -> date:
        start = date(year, 1, 1)
        value = start + timedelta(days=self.rng.randrange(365))
        return min(value, AS_OF - timedelta(days=1))

    def national_id(self) -> str:
        while True:
            prefix = self.rng.choice(("10", "14")) + f"{self.rng.randrange(10**8):08d}"
            value = make_iranian_legal_id(prefix)
            if value not in self.national_ids and iranian_legal_id_is_valid(value):
                self.national_ids.add(value)
                return value

    def point(self, county: str) -> tuple[float, float]:
        c = self.counties[county]
        return (round(c["latitude"] + self.rng.uniform(-0.04, 0.04), 5),
                round(c["longitude"] + self.rng.uniform(-0.05, 0.05), 5))

    def texts(self, options: list[str], low: int, high: int) -> str:
        if not options:
            return ""
        return "؛ ".join(self.rng.sample(options, min(len(options), self.rng.randint(low, high))))

    def address(self, county: str, industrial: bool) -> str:
        places = self.data["places"]
        county_fa = self.counties[county]["name_fa"]
        estate = places["industrial_estates"].get(county)
        if industrial and estate:
            return f"{county_fa}، {estate}، خیابان {self.rng.randint(1, 24)}، قطعه {self.rng.randint(1, 400)}"
        return f"{county_fa}، {self.rng.choice(places['streets'])}، پلاک {self.rng.randint(1, 250)}"

    def website(self, name_en: str) -> str:
        words = re.findall(r"[a-z0-9]+", name_en.lower())[:3]
        return f"https://{'-'.join(words)}.example" if words else ""

    def cert(self, founded: int) -> tuple[date, date]:
        first = min(max(founded + 1, 2016), AS_OF.year - 1)
        start = self.day(self.rng.randint(first, AS_OF.year - 1))
        return start, start + timedelta(days=3 * 365)

    def add_org(self, plan: OrgPlan) -> int:
        index = len(self.orgs)
        self.orgs.append(plan)
        self.names.add(fold(plan.name_fa))
        if plan.key:
            self.key[plan.key] = index
        self.seg.setdefault(plan.segment, []).append(index)
        return index

    # - organizations -
    def anchors(self) -> None:
        for a in self.data["anchors"]:
            county = a["county"]
            lat, lon = (a["lat"], a["lon"]) if "lat" in a else self.point(county)
            kind, founded = a["kind"], a["founded"]
            certification, cert_from, cert_until = "", None, None
            if a.get("cert"):
                certification = a["cert"]
                cert_from, cert_until = self.cert(founded)
            description = a.get("description") or (
                f"{KIND_FA.get(kind, '')} مستقر در شهرستان {self.counties[county]['name_fa']}؛ "
                f"فعال از سال {founded - 621}")
            self.add_org(OrgPlan(
                external_id="", key=a["key"], segment=a.get("segment", a["key"]), kind=kind,
                name_fa=normalize(a["name_fa"]), name_en=a["name_en"], county=county, domain=a["domain"],
                sectors=list(a["sectors"]), capability_sectors=list(a.get("capability_sectors", [])),
                need_sectors=list(a.get("need_sectors", [])), employee_band=a["band"], founding_year=founded,
                tech_level=a.get("tech", ""), certification=certification, certified_from=cert_from,
                certified_until=cert_until, latitude=lat, longitude=lon,
                national_id=None if a.get("no_national_id") else self.national_id(),
                website="", address=self.address(county, industrial=kind == LARGE),
                description=normalize(description), capabilities=normalize(a.get("capabilities", "")),
                needs=normalize(a.get("needs", "")), visibility="private" if a.get("private") else "public",
                clusters=dict(a.get("clusters", {})),
            ))

    def generated_name(self, seg: dict, county: str) -> tuple[str, str, list[str] | None]:
        localities = self.data["places"]["localities"].get(county) or [
            [self.counties[county]["name_fa"], self.counties[county]["name_en"]]]
        for _attempt in range(60):
            template = self.rng.choice(seg["names"])
            brand = next(self.brand_cycle)
            locality = self.rng.choice(localities)
            values = {"b": brand[0], "c": self.counties[county]["name_fa"], "l": locality[0]}
            values_en = {"B": brand[1], "C": self.counties[county]["name_en"], "L": locality[1]}
            name_fa = normalize(template[0].format(**values))
            if fold(name_fa) in self.names:
                continue
            return name_fa, template[1].format(**values_en), (template[2] if len(template) > 2 else None)
        raise DemoError(f"no free name for segment {seg['key']}")  # a data error, never seen by users

    def segments(self) -> None:
        for seg in self.data["segments"]["segments"]:
            order = self.rng.sample(list(seg["counties"]), len(seg["counties"])) if seg.get("spread") else []
            for n in range(seg["count"]):
                # "spread": one per county in turn (every county gets one); otherwise weighted draws
                county = order[n % len(order)] if order else self.choose(seg["counties"])
                name_fa, name_en, sectors = self.generated_name(seg, county)
                kind = seg["kind"]
                founded = self.rng.randint(*seg["founded"])
                certification, cert_from, cert_until = "", None, None
                cert = seg.get("cert", "")
                if cert == "knowledge_based" or (cert == "creative" and self.rng.random() < 0.85):
                    certification = cert
                    cert_from, cert_until = self.cert(founded)
                lat, lon = self.point(county)
                description = seg.get("description", "").format(
                    c=self.counties[county]["name_fa"], l=self._locality_in(name_fa, county))
                with_id = kind != COWORKING or self.rng.random() < 0.7
                self.add_org(OrgPlan(
                    external_id="", key="", segment=seg["key"], kind=kind, name_fa=name_fa, name_en=name_en,
                    county=county, domain=seg["domain"], sectors=list(sectors or seg["sectors"]),
                    capability_sectors=list(seg.get("capability_sectors", [])),
                    need_sectors=list(seg.get("need_sectors", [])), employee_band=self.choose(seg["bands"]),
                    founding_year=founded, tech_level=self.rng.choice(seg["tech"]), certification=certification,
                    certified_from=cert_from, certified_until=cert_until, latitude=lat, longitude=lon,
                    national_id=self.national_id() if with_id else None,
                    website=self.website(name_en) if self.rng.random() < 0.55 else "",
                    address=self.address(county, industrial=seg.get("industrial", False)),
                    description=normalize(description), capabilities=normalize(self.texts(seg["capabilities"], 2, 3)),
                    needs=normalize(self.texts(seg["needs"], 1, 3)),
                    visibility="private" if self.rng.random() < 0.02 else "public",
                    clusters={seg["cluster"]: seg["role"]} if seg.get("cluster") else {},
                ))

    def _locality_in(self, name_fa: str, county: str) -> str:
        for fa, _en in self.data["places"]["localities"].get(county, []):
            if fa in name_fa:
                return fa
        return self.counties[county]["name_fa"]

    def startups(self) -> None:
        for name_fa, name_en, sectors, theme, pitch in self.data["segments"]["startups"]:
            county = self.choose(STARTUP_COUNTIES[theme])
            founded = self.rng.randint(2016, 2024)
            certification, cert_from, cert_until = "", None, None
            if founded <= 2023 and self.rng.random() < 0.3:
                certification = "knowledge_based"
                cert_from, cert_until = self.cert(founded)
            lat, lon = self.point(county)
            cluster = THEME_CLUSTER.get(theme)
            is_team = self.rng.random() < 0.3 and name_en != "Pestehyar"
            self.add_org(OrgPlan(
                external_id="", key="startup_" + re.sub(r"[^a-z0-9]+", "_", name_en.lower()), segment="i_startup",
                kind=STARTUP, name_fa=normalize(name_fa), name_en=name_en, county=county,
                domain=theme if theme in ("pistachio", "mining", "tourism", "crafts", "dates", "health") else "tech",
                sectors=list(sectors), capability_sectors=list(sectors), need_sectors=[],
                employee_band="1-9" if self.rng.random() < 0.75 else "10-49", founding_year=founded,
                tech_level=self.rng.choice(["high", "medium_high"]), certification=certification,
                certified_from=cert_from, certified_until=cert_until, latitude=lat, longitude=lon,
                national_id=None if is_team else self.national_id(),
                website=f"https://{re.sub(r'[^a-z0-9]+', '', name_en.lower())}.example",
                address=self.address(county, industrial=False),
                description=normalize(f"استارتاپ {name_fa}: {pitch}"), capabilities=normalize(pitch),
                needs=normalize(self.texts(STARTUP_NEEDS, 2, 3)),
                visibility="private" if name_en in ("Kanikav", "Batelehban") else "public", theme=theme,
                clusters={cluster: "service"} if cluster and self.rng.random() < 0.6 else {},
            ))

    # - people -
    def person(self, kind: str, org: int | None, *, county: str | None = None, domain: str | None = None,
               username: str = "") -> int:
        names = self.data["people"]
        female = self.rng.random() < 0.35
        for _attempt in range(100):
            first = self.rng.choice(names["first_names_female" if female else "first_names_male"])
            last = self.rng.choice(names["last_names"])
            if (first[0], last[0]) not in self.person_names:
                break
        self.person_names.add((first[0], last[0]))
        home = self.orgs[org] if org is not None else None
        county = county or (home.county if home else "kerman")
        domain = domain or (home.domain if home else "general")
        expertise = self.data["people"]["expertise"]
        topics = expertise.get(kind if kind in ("mentor", "cda") else domain) or expertise["general"]
        local = re.sub(r"[^a-z]", "", first[1].lower())[:1] + "." + re.sub(r"[^a-z]", "", last[1].lower())
        host = home.website.removeprefix("https://") if home and home.website else "example.org"
        index = len(self.people)
        self.people.append(PersonPlan(
            external_id="", first_name_fa=normalize(first[0]), last_name_fa=normalize(last[0]),
            full_name_en=f"{first[1]} {last[1]}", kind=kind, email=f"{local}@{host}",
            phone=f"0913{self.rng.randrange(10**7):07d}", county=county,
            expertise=normalize("، ".join(self.rng.sample(topics, min(len(topics), self.rng.randint(2, 3))))),
            expertise_sectors=list(home.sectors[:1]) if home else [],
            visibility="private" if self.rng.random() < 0.04 else "public", username=username,
        ))
        return index

    def role(self, person: int, org: int, role: str, title: str = "", start: date | None = None) -> None:
        titles = self.data["people"]["titles"]
        if start is None:
            start = self.day(self.rng.randint(max(self.orgs[org].founding_year, 2000), AS_OF.year - 1))
        if any(r[0] == org and r[1] == role for r in self.people[person].roles):
            return
        self.people[person].roles.append((org, role, normalize(title or titles.get(role, "")), start))

    def staff(self) -> None:
        titles = self.data["people"]["titles"]
        rng = self.rng
        for index, org in enumerate(self.orgs):
            kind = org.kind
            founded_on = self.day(org.founding_year)
            if kind == STARTUP:
                for n in range(1 if org.name_en == "Pestehyar" else rng.choice((1, 1, 2, 2, 3))):
                    username = "demo-startup" if org.name_en == "Pestehyar" else ""
                    p = self.person("founder", index, username=username)
                    self.role(p, index, "founder", start=founded_on)
                    if n == 0:
                        self.role(p, index, "ceo", start=founded_on)
            elif kind in (KNOWLEDGE_BASED, CREATIVE):
                p = self.person("founder", index)
                self.role(p, index, "founder", start=founded_on)
                self.role(p, index, "ceo", start=founded_on)
                if rng.random() < 0.3:
                    self.role(self.person("manager", index), index, "board")
            elif kind == SME and rng.random() < 0.4:
                self.role(self.person("manager", index), index, "ceo")
            elif kind == COOPERATIVE and rng.random() < 0.45:
                self.role(self.person("manager", index), index, "ceo", "مدیرعامل تعاونی")
            elif kind == LARGE:
                self.role(self.person("manager", index), index, "ceo")
                self.role(self.person("manager", index), index, "employee", rng.choice(titles["employee"]))
            elif kind == UNIVERSITY:
                self.role(self.person("official", index), index, "ceo", titles["head_university"])
                for _n in range(rng.randint(2, 3)):
                    self.role(self.person("researcher", index), index, "researcher")
            elif kind == RESEARCH:
                self.role(self.person("manager", index), index, "ceo", titles["head_university"])
                for _n in range(rng.randint(1, 2)):
                    self.role(self.person("researcher", index), index, "researcher")
            elif kind == GOVERNMENT:
                self.role(self.person("official", index), index, "ceo", _head_of_public_body(org.name_fa))
                if rng.random() < 0.4:
                    self.role(self.person("official", index), index, "contact")
            elif kind == CHAMBER:
                self.role(self.person("official", index), index, "ceo", titles["head_chamber"])
            elif kind == INVESTOR:
                self.role(self.person("investor", index), index, "ceo")
                if rng.random() < 0.5:
                    self.role(self.person("investor", index), index, "board")
            elif kind in (INNOVATION_FACTORY, CREATIVE_HOUSE, ACCELERATOR, COWORKING):
                username = "demo-factory" if org.key == "hub_factory" else ""
                self.role(self.person("manager", index, username=username), index, "ceo", titles["head_hub"])
                if kind != COWORKING and rng.random() < 0.6:
                    self.role(self.person("manager", index), index, "employee", "مدیر برنامه‌ها")
            elif kind == NGO:
                self.role(self.person("manager", index), index, "ceo")
            elif kind == SERVICE:
                self.role(self.person("consultant", index), index, "ceo")
                if rng.random() < 0.3:
                    self.role(self.person("consultant", index), index, "employee", "مشاور ارشد")

        # Mentors: most sit in the innovation factory, the park and the accelerators; many also work elsewhere.
        hubs = [self.key[k] for k in ("hub_factory", "hub_park", "hub_incubator_bahonar", "hub_incubator_rafsanjan",
                                      "hub_accel_mining", "hub_creative_kerman")] + self.seg["i_accelerator"]
        day_jobs = self.seg["m_large"] + self.seg["i_kb"] + self.seg["m_kb"] + [
            self.key[k] for k in ("uni_bahonar", "uni_kgut", "inv_fund", "ch_kerman")]
        for n in range(26):
            hub = self.key["hub_factory"] if n < 12 else hubs[n % len(hubs)]
            p = self.person("mentor", None, county=self.orgs[hub].county)
            self.role(p, hub, "mentor", start=self.day(rng.randint(max(2018, self.orgs[hub].founding_year), 2024)))
            if n < 12 and rng.random() < 0.4:  # factory mentors also mentor elsewhere
                self.role(p, rng.choice(hubs), "mentor")
            if rng.random() < 0.6:
                job = rng.choice(("employee", "board"))
                self.role(p, rng.choice(day_jobs), job, rng.choice(titles["employee"]) if job == "employee" else "")
        # Consultants working for a few firms of one cluster.
        cluster_firms = {
            "pistachio": self.seg["p_processor"] + self.seg["p_exporter"] + self.seg["p_coop"],
            "copper": self.seg["m_machining"] + self.seg["m_repair"] + self.seg["m_contractor"],
            "crafts_tourism": self.seg["h_carpet"] + self.seg["t_hotel"] + self.seg["t_agency"],
            "dates": self.seg["d_processor"] + self.seg["d_coop"],
        }
        for n in range(14):
            cluster = list(cluster_firms)[n % 4]
            firms = rng.sample(cluster_firms[cluster], rng.randint(2, 3))
            p = self.person("consultant", firms[0])
            for firm in firms:
                self.role(p, firm, "consultant")
            if rng.random() < 0.4:
                self.role(p, rng.choice(self.seg["i_service"] + self.seg["m_engineering"]), "employee", "مشاور ارشد")

    # - relations -
    def rel(self, s: int, t: int, type_: str, *, agreement: str = "", strength: int | None = None,
            start: date | None = None, origin: str | None = None) -> bool:
        if s == t:
            return False
        key = (min(s, t), max(s, t), type_) if type_ in UNDIRECTED else (s, t, type_)
        if key in self.rel_keys:
            return False
        self.rel_keys.add(key)
        rng = self.rng
        first_year = min(max(self.orgs[s].founding_year, self.orgs[t].founding_year, 2008), AS_OF.year)
        start = start or self.day(rng.randint(first_year, max(first_year, AS_OF.year - 1)))
        end = None
        if type_ in ENDING and not agreement and rng.random() < 0.12:
            end = start + timedelta(days=rng.randint(180, 1100))
            end = end if end < AS_OF else None
        low, high = STRENGTH[type_]
        if origin is None:
            origin = "agreement" if agreement else ("survey" if rng.random() < 0.2 else "declared")
        self.relations.append(RelationPlan(
            external_id="", source=s, target=t, type=type_, strength=strength or rng.randint(low, high),
            start_date=start, end_date=end, origin=origin, agreement=agreement))
        return True

    def pick(self, candidates: list[int], k: int, near: int | None = None, exclude: int | None = None) -> list[int]:
        """Up to k distinct candidates, three times likelier in the county of ``near``."""
        pool = [c for c in candidates if c != exclude]
        chosen: list[int] = []
        county = self.orgs[near].county if near is not None else None
        while pool and len(chosen) < k:
            weights = [3 if county and self.orgs[c].county == county else 1 for c in pool]
            c = self.rng.choices(pool, weights=weights)[0]
            chosen.append(c)
            pool.remove(c)
        return chosen

    def links(self, sources: list[int], targets: list[int], type_: str, low: int, high: int, *,
              reverse: bool = False, local: bool = True) -> None:
        for s in sources:
            for t in self.pick(targets, self.rng.randint(low, high), near=s if local else None, exclude=s):
                self.rel(t, s, type_) if reverse else self.rel(s, t, type_)

    def maybe(self, sources: list[int], target: int, type_: str, p: float, reverse: bool = False) -> None:
        for s in sources:
            if self.rng.random() < p:
                self.rel(target, s, type_) if reverse else self.rel(s, target, type_)

    def agreement(self, key: str, title: str, kind: str, subject: str, parties: list[int], signed: date,
                  years: int | None, public: bool) -> str:
        end = signed + timedelta(days=365 * years) if years else None
        self.agreements.append(AgreementPlan(
            key=key, title=normalize(title), kind=kind, subject=normalize(subject), parties=parties, signed_on=signed,
            start_date=signed, end_date=end, visibility="public" if public else "private"))
        return key

    def agreements_and_their_relations(self) -> None:
        k, seg, rng = self.key, self.seg, self.rng
        a = self.agreement("copper_research", "تفاهم‌نامه همکاری پژوهشی و فناوری مجتمع مس سرچشمه و دانشگاه شهید باهنر کرمان",
                           "mou", "تعریف پایان‌نامه‌ها و طرح‌های پژوهشی مسئله‌محور در فرآوری مس، کاهش مصرف آب و "
                           "ایمنی معدن؛ دسترسی دانشجویان به آزمایشگاه‌های مجتمع",
                           [k["sarcheshmeh"], k["uni_bahonar"]], date(2022, 5, 14), 4, True)
        self.rel(k["uni_bahonar"], k["sarcheshmeh"], JOINT, agreement=a, strength=5, start=date(2022, 5, 14))
        self.rel(k["uni_bahonar"], k["sarcheshmeh"], TECH_TRANSFER, agreement=a, strength=4, start=date(2022, 9, 1))

        local_parts = rng.sample(seg["m_machining"], 4) + rng.sample(seg["m_equipment"], 2)
        a = self.agreement("spare_parts", "تفاهم‌نامه بومی‌سازی قطعات یدکی مجتمع مس سرچشمه", "consortium",
                           "ساخت داخلی قطعات سایشی سنگ‌شکن و آسیا توسط بنگاه‌های کوچک و متوسط استان با تضمین خرید "
                           "سه‌ساله و نظارت فنی مجتمع", [k["sarcheshmeh"], k["gov_smt"]] + local_parts,
                           date(2023, 2, 8), 3, False)
        for firm in local_parts:
            self.rel(firm, k["sarcheshmeh"], SUPPLY, agreement=a, start=date(2023, 2, 8) + timedelta(days=rng.randint(20, 200)))
        self.rel(k["gov_smt"], k["sarcheshmeh"], PARTNERSHIP, agreement=a, strength=3, start=date(2023, 2, 8))

        residents = [i for i in seg["i_startup"] if self.orgs[i].founding_year <= 2023]
        funded = [k["startup_pestehyar"]] + rng.sample([i for i in residents if i != k["startup_pestehyar"]], 4)
        a = self.agreement("factory_fund", "تفاهم‌نامه حمایت مالی صندوق پژوهش و فناوری استان کرمان از مستقرین کارخانه نوآوری کرمان",
                           "mou", "اعطای تسهیلات و سرمایه‌گذاری خطرپذیر در تیم‌های منتخب دوره‌های شتاب‌دهی کارخانه نوآوری",
                           [k["hub_factory"], k["inv_fund"]], date(2022, 11, 2), 3, True)
        self.rel(k["hub_factory"], k["inv_fund"], PARTNERSHIP, agreement=a, strength=4, start=date(2022, 11, 2))
        for startup in funded:
            self.rel(k["inv_fund"], startup, INVESTMENT, agreement=a,
                     start=max(date(2022, 11, 2), self.day(self.orgs[startup].founding_year + 1)))

        processors = rng.sample(seg["p_processor"], 4)
        kb = rng.sample(seg["p_kb"], 2)
        a = self.agreement("aflatoxin", "تفاهم‌نامه برنامه کاهش آفلاتوکسین در زنجیره پسته", "mou",
                           "آموزش باغداران، آزمون سریع در پایانه‌ها و ردیابی محموله‌های صادراتی برای کاهش برگشت محموله‌ها",
                           [k["res_pistachio"], k["ch_pistachio"], k["gov_standard"], k["rafsanjan_processing"]] + kb,
                           date(2021, 6, 20), 4, True)
        for firm in processors:
            self.rel(k["res_pistachio"], firm, TECH_TRANSFER, agreement=a, start=date(2021, 9, 1))
        for firm in kb:
            self.rel(firm, k["rafsanjan_processing"], JOINT, agreement=a, start=date(2021, 7, 15))
        self.rel(k["ch_pistachio"], k["res_pistachio"], PARTNERSHIP, agreement=a, start=date(2021, 6, 20))

        creatives = [i for i in seg["h_creative"] if "1393" in self.orgs[i].sectors or "7410" in self.orgs[i].sectors][:2]
        a = self.agreement("carpet_design", "تفاهم‌نامه طراحی نقشه‌های نو برای فرش کرمان", "mou",
                           "همکاری طراحان جوان خانه خلاق با بافندگان تعاونی برای نقشه‌های معاصر و ثبت آن‌ها",
                           [k["hub_creative_kerman"], k["gov_heritage"], k["coop_carpet_kerman"], k["ch_carpet"]] + creatives,
                           date(2023, 10, 9), 2, False)
        for firm in creatives:
            self.rel(firm, k["coop_carpet_kerman"], JOINT, agreement=a, start=date(2023, 11, 1))
        self.rel(k["hub_creative_kerman"], k["coop_carpet_kerman"], JOINT, agreement=a, start=date(2023, 10, 9))

        agencies = rng.sample(seg["t_agency"], 4)
        lodges = rng.sample(seg["t_ecolodge"], 3) + seg["t_camp"][:1]
        a = self.agreement("lut_consortium", "کنسرسیوم گردشگری کویر لوت", "consortium",
                           "بسته‌های سفر مشترک، استاندارد خدمات و بازاریابی مشترک مقصد کویر لوت در بازار خارجی",
                           agencies + lodges + [k["ngo_desert"]], date(2024, 1, 25), None, True)
        for agency in agencies:
            for lodge in rng.sample(lodges, 2):
                self.rel(agency, lodge, PARTNERSHIP, agreement=a, start=date(2024, 1, 25))

        pilot = rng.choice(seg["m_kb"])
        a = self.agreement("golgohar_pilot", "قرارداد محرمانگی آزمایش میدانی پایش هوشمند تجهیزات در گل‌گهر", "nda",
                           "محرمانگی داده‌های ارتعاش و توقف تجهیزات در آزمایش میدانی شش‌ماهه",
                           [k["golgohar"], pilot], date(2024, 4, 16), 2, False)
        self.rel(pilot, k["golgohar"], JOINT, agreement=a, strength=4, start=date(2024, 5, 1))

        kb_park = rng.sample(seg["m_kb"] + seg["i_kb"], 2)
        a = self.agreement("park_kgut", "تفاهم‌نامه همکاری پارک علم و فناوری کرمان و دانشگاه تحصیلات تکمیلی صنعتی و فناوری پیشرفته",
                           "mou", "تجاری‌سازی طرح‌های دانشگاه در شرکت‌های مستقر در پارک و استفاده مشترک از آزمایشگاه‌ها",
                           [k["hub_park"], k["uni_kgut"]], date(2020, 12, 5), 5, True)
        self.rel(k["hub_park"], k["uni_kgut"], PARTNERSHIP, agreement=a, strength=4, start=date(2020, 12, 5))
        for firm in kb_park:
            self.rel(k["uni_kgut"], firm, TECH_TRANSFER, agreement=a)

        coops = rng.sample(seg["d_coop"], 2)
        packer = rng.choice(seg["d_processor"])
        a = self.agreement("dates_offtake", "قرارداد خرید تضمینی خرمای مضافتی", "contract",
                           "خرید تضمینی خرمای درجه یک اعضای تعاونی با قیمت پایه و پرداخت پیش از برداشت",
                           coops + [packer], date(2024, 6, 10), 1, False)
        for coop in coops:
            self.rel(coop, packer, SUPPLY, agreement=a, strength=5, start=date(2024, 8, 20))

        trainees = rng.sample(seg["m_machining"], 3)
        a = self.agreement("dual_training", "تفاهم‌نامه آموزش مهارتی دوگانه در صنایع فلزی", "mou",
                           "آموزش هم‌زمان در دانشگاه و کارگاه برای تربیت ماشین‌کار و تکنسین تعمیرات",
                           [k["uni_tvu"], k["ch_house_industry"]] + trainees, date(2023, 9, 1), 3, False)
        for firm in trainees:
            self.rel(k["uni_tvu"], firm, EMPLOYMENT_FLOW, agreement=a, start=date(2024, 2, 1))

    def pistachio(self) -> None:
        k, s = self.key, self.seg
        growers = s["p_coop"] + s["p_farm"]
        processors = s["p_processor"]  # includes the large Rafsanjan processor
        exporters = s["p_exporter"]
        self.links(growers, s["p_terminal"], SUPPLY, 1, 3)
        self.links(growers, processors, SUPPLY, 1, 2)
        self.links(s["p_terminal"], processors, SUPPLY, 2, 3)
        self.links(s["p_terminal"], exporters, SUPPLY, 0, 1)
        self.links(processors, exporters, SUPPLY, 2, 3, local=False)
        self.links(processors, processors, PARTNERSHIP, 0, 1)
        self.links(exporters, exporters, PARTNERSHIP, 0, 1, local=False)
        self.links(s["p_packaging"], processors + exporters + s["p_terminal"], SUPPLY, 4, 7)
        self.links(s["p_machinery"], s["p_terminal"] + processors + s["p_farm"] + [k["anar_agro"]], SUPPLY, 3, 5)
        self.links(processors + exporters, s["p_lab"], CUSTOMER, 1, 1)
        self.links(s["p_kb"], growers + s["p_terminal"] + processors, SUPPLY, 3, 6)
        self.links(s["p_logistics"], processors + exporters, SUPPLY, 3, 5)
        self.links(s["p_kb"], s["p_kb"], JOINT, 0, 1, local=False)
        for kb in s["p_kb"]:
            self.rel(kb, self.rng.choice([k["res_pistachio"], k["uni_vru"]]), JOINT)
        self.maybe(s["p_kb"], k["res_pistachio"], TECH_TRANSFER, 0.5, reverse=True)
        self.maybe(s["p_kb"], k["hub_incubator_rafsanjan"], MEMBERSHIP, 0.5)
        self.maybe(s["p_kb"], k["hub_park"], MEMBERSHIP, 0.5)
        self.maybe(s["p_kb"], k["inv_fund"], INVESTMENT, 0.35, reverse=True)
        # institutions
        self.maybe(s["p_coop"], k["ch_pistachio_union"], MEMBERSHIP, 0.9)
        self.maybe(growers, k["ch_agri_nezam"], MEMBERSHIP, 0.35)
        self.maybe(growers + processors + exporters, k["ch_pistachio"], MEMBERSHIP, 0.55)
        self.maybe(processors + exporters, k["ch_kerman"], MEMBERSHIP, 0.6)
        self.maybe(s["p_coop"], k["ch_coop"], MEMBERSHIP, 0.7)
        self.links([k["gov_coop_labour"]], s["p_coop"] + s["h_carpet_coop"] + s["d_coop"], PARTNERSHIP, 6, 6, local=False)
        self.links([k["res_pistachio"]], growers + processors, TECH_TRANSFER, 8, 8)
        self.links([k["res_agri"]], s["p_coop"], TECH_TRANSFER, 3, 3, local=False)
        self.links([k["uni_vru"]], processors + exporters + s["p_kb"], JOINT, 6, 6)
        self.links([k["uni_vru"], k["uni_azad_rafsanjan"]], processors + exporters, EMPLOYMENT_FLOW, 3, 4)
        self.links([k["gov_jihad"]], s["p_coop"], JOINT, 6, 6, local=False)
        self.links([k["ngo_water"]], s["p_coop"] + s["p_farm"], PARTNERSHIP, 4, 4)
        self.links([k["gov_standard"]], s["p_lab"], PARTNERSHIP, 3, 3)
        self.links([k["uni_rums"]], s["p_lab"] + processors, JOINT, 2, 2)
        self.links([k["inv_coop_bank"]], s["p_coop"], INVESTMENT, 4, 4, local=False)
        self.links([k["gov_muni_rafsanjan"]], s["p_terminal"], PARTNERSHIP, 2, 2)

    def copper(self) -> None:
        k, s = self.key, self.seg
        majors = s["m_large"]
        weight = {"sarcheshmeh": 5, "miduk": 3, "golgohar": 3, "khatoonabad": 2, "bahonar_copper": 2,
                  "goharzamin": 2, "kerman_coal": 2, "zarand_steel": 2, "jahan_foolad": 2}
        weighted_majors = [k[name] for name, w in weight.items() for _n in range(w)]
        suppliers = (s["m_machining"] + s["m_fabrication"] + s["m_repair"] + s["m_contractor"]
                     + s["m_equipment"] + s["m_chemicals"] + s["m_cables"])
        for firm in suppliers + s["m_transport"]:
            targets: list[int] = []
            for _n in range(self.rng.randint(1, 3)):
                near = [m for m in weighted_majors if self.orgs[m].county == self.orgs[firm].county]
                pool = near if near and self.rng.random() < 0.5 else weighted_majors
                targets.append(self.rng.choice(pool))
            for major in dict.fromkeys(targets):
                self.rel(firm, major, SUPPLY)
        self.links(suppliers, suppliers, SUPPLY, 1, 2)
        self.links(suppliers, suppliers, PARTNERSHIP, 0, 2)
        self.links(suppliers, s["m_engineering"] + s["m_hse"], CUSTOMER, 0, 1, local=False)
        self.links(majors, s["m_engineering"] + s["m_hse"], CUSTOMER, 1, 3, local=False)
        self.links(s["m_kb"], majors, SUPPLY, 1, 2, local=False)
        self.links(s["m_kb"], majors, JOINT, 0, 1, local=False)
        self.links(s["m_kb"], suppliers, PARTNERSHIP, 0, 2)
        self.links([k["uni_bahonar"], k["uni_kgut"], k["res_copper"]], s["m_kb"], TECH_TRANSFER, 2, 4, local=False)
        self.links([k["sarcheshmeh"], k["golgohar"]], s["m_kb"], EMPLOYMENT_FLOW, 1, 3, local=False)
        # the majors among themselves: concentrate, anodes, iron ore, coal
        for a, b, t in (("sarcheshmeh", "bahonar_copper", SUPPLY), ("miduk", "khatoonabad", SUPPLY),
                        ("sarcheshmeh", "miduk", PARTNERSHIP), ("golgohar", "jahan_foolad", SUPPLY),
                        ("goharzamin", "golgohar", SUPPLY), ("kerman_coal", "zarand_steel", SUPPLY),
                        ("golgohar", "goharzamin", PARTNERSHIP), ("bahonar_copper", "kerman_motor", SUPPLY)):
            self.rel(k[a], k[b], t, strength=5)
        # institutions
        self.maybe(suppliers + s["m_transport"], k["ch_mining"], MEMBERSHIP, 0.55)
        self.maybe(suppliers, k["ch_house_industry"], MEMBERSHIP, 0.3)
        self.maybe(suppliers + majors, k["ch_kerman"], MEMBERSHIP, 0.4)
        self.maybe(majors, k["ch_mining"], MEMBERSHIP, 0.8)
        self.maybe(s["m_kb"], k["ch_kb"], MEMBERSHIP, 0.7)
        self.maybe(s["m_kb"], k["hub_park"], MEMBERSHIP, 0.6)
        self.maybe(s["m_kb"], k["hub_accel_mining"], MEMBERSHIP, 0.25)
        self.maybe(s["m_kb"], k["inv_mining_dev"], INVESTMENT, 0.3, reverse=True)
        self.maybe(s["m_kb"], k["inv_copper_vc"], INVESTMENT, 0.2, reverse=True)
        sirjan = [i for i in suppliers + majors if self.orgs[i].county == "sirjan"]
        self.maybe(sirjan, k["gov_sirjan_sez"], MEMBERSHIP, 0.6)
        self.maybe(suppliers, k["gov_estates"], MEMBERSHIP, 0.3)
        for uni in ("uni_bahonar", "uni_sirjantech", "uni_zarand", "uni_tvu"):
            self.links([k[uni]], majors, EMPLOYMENT_FLOW, 2, 3)
        self.links([k["uni_bahonar"], k["uni_kgut"], k["res_copper"], k["res_kgut_inst"]], majors, JOINT, 1, 3, local=False)
        self.links([k["gov_smt"]], majors + suppliers, PARTNERSHIP, 6, 6, local=False)
        self.links([k["ch_mining_engineers"]], s["m_engineering"], MEMBERSHIP, 4, 4, reverse=True, local=False)
        self.links([k["ngo_env_jiroft"], k["res_kgut_inst"]], [k["golgohar"], k["sarcheshmeh"]], PARTNERSHIP, 1, 1)

    def crafts_and_tourism(self) -> None:
        k, s = self.key, self.seg
        workshops = s["h_carpet"] + s["h_pateh"] + s["h_crafts"]
        coops = s["h_carpet_coop"] + s["h_pateh_coop"]
        hotels, lodges, agencies = s["t_hotel"], s["t_ecolodge"] + s["t_camp"], s["t_agency"]
        self.links(workshops + coops, s["h_shop"], SUPPLY, 1, 3)
        self.links(hotels + lodges, workshops + coops, CUSTOMER, 1, 3)
        self.links(s["h_creative"], workshops + coops, JOINT, 1, 2)
        self.links(s["h_creative"], hotels + agencies + s["h_shop"] + lodges, SUPPLY, 1, 2)
        self.links(s["h_creative"], s["h_creative"], PARTNERSHIP, 0, 1)
        self.links(agencies, hotels, PARTNERSHIP, 2, 3)
        self.links(agencies, lodges, PARTNERSHIP, 1, 2)
        self.links(agencies, agencies, PARTNERSHIP, 0, 1)
        self.links(s["t_restaurant"], agencies + hotels, SUPPLY, 2, 3)
        self.links(agencies, workshops, CUSTOMER, 0, 1)  # workshop visits on the tours
        # institutions
        self.maybe(workshops + coops + s["h_shop"], k["ch_handicrafts"], MEMBERSHIP, 0.5)
        self.maybe(s["h_carpet"] + s["h_carpet_coop"], k["ch_carpet"], MEMBERSHIP, 0.7)
        self.maybe(coops, k["ch_coop"], MEMBERSHIP, 0.8)
        self.maybe(agencies, k["ch_agencies"], MEMBERSHIP, 0.9)
        self.maybe(hotels, k["ch_hotels"], MEMBERSHIP, 0.9)
        self.maybe(lodges, k["ngo_desert"], MEMBERSHIP, 0.4)
        self.maybe(hotels + agencies + s["h_shop"], k["ch_kerman"], MEMBERSHIP, 0.3)
        creative_houses = {self.orgs[k[h]].county: k[h] for h in ("hub_creative_kerman", "hub_creative_rafsanjan", "hub_creative_bam")}
        for firm in s["h_creative"]:
            house = creative_houses.get(self.orgs[firm].county, k["hub_creative_kerman"])
            if self.rng.random() < 0.75:
                self.rel(firm, house, MEMBERSHIP)
            if self.rng.random() < 0.5:
                self.rel(house, firm, MENTORING)
        self.links([k["gov_heritage"]], workshops + coops + lodges, JOINT, 8, 8, local=False)
        self.links([k["gov_heritage"]], hotels + agencies, PARTNERSHIP, 4, 4, local=False)
        self.links([k["res_carpet"]], s["h_carpet"] + s["h_carpet_coop"], TECH_TRANSFER, 5, 5)
        self.links([k["uni_bahonar"], k["uni_azad_kerman"]], s["h_creative"], EMPLOYMENT_FLOW, 2, 3)
        self.links([k["uni_tvu"]], workshops + hotels, EMPLOYMENT_FLOW, 3, 3, local=False)
        self.links([k["ngo_rural_women"], k["ngo_women"]], s["h_pateh"] + s["h_pateh_coop"], PARTNERSHIP, 2, 3, local=False)
        bam = [i for i in hotels + agencies + lodges + workshops if self.orgs[i].county == "bam"]
        self.links([k["gov_arg_fz"]], bam, PARTNERSHIP, 2, 3)
        self.links([k["ngo_heritage"]], agencies, PARTNERSHIP, 2, 2, local=False)
        self.links([k["gov_muni_kerman"]], s["h_shop"] + hotels, PARTNERSHIP, 2, 2, local=False)
        self.links([k["hub_creative_bam"]], [i for i in workshops + lodges if self.orgs[i].county == "bam"] or lodges,
                   MENTORING, 1, 2)

    def dates(self) -> None:
        k, s = self.key, self.seg
        growers = s["d_coop"] + s["d_farm"]
        self.links(growers, s["d_processor"], SUPPLY, 1, 2)
        self.links(s["d_processor"], s["d_exporter"], SUPPLY, 1, 2)
        self.links(growers, s["d_exporter"], SUPPLY, 0, 1)
        self.links(s["d_storage"], s["d_processor"] + s["d_exporter"], SUPPLY, 2, 4)
        self.links(s["d_processor"], s["d_processor"], PARTNERSHIP, 0, 1)
        self.links(s["p_packaging"], s["d_processor"], SUPPLY, 0, 1, local=False)
        self.maybe(growers + s["d_processor"] + s["d_exporter"], k["ch_dates"], MEMBERSHIP, 0.7)
        self.maybe(s["d_coop"], k["ch_coop"], MEMBERSHIP, 0.8)
        self.links([k["gov_jihad_south"]], growers, JOINT, 4, 4)
        self.links([k["res_jiroft_agri"]], growers + s["d_processor"], TECH_TRANSFER, 4, 4)
        self.links([k["uni_jiroft"], k["uni_bam"]], growers + s["d_processor"], JOINT, 2, 3)
        self.links([k["gov_arg_fz"]], s["d_processor"] + s["d_exporter"], MEMBERSHIP, 3, 3, reverse=True)
        self.links([k["inv_coop_bank"]], s["d_coop"], INVESTMENT, 2, 2, local=False)
        self.links([k["ngo_youth_bam"]], s["d_processor"], PARTNERSHIP, 1, 2)

    def innovation(self) -> None:
        k, s, rng = self.key, self.seg, self.rng
        startups = s["i_startup"]
        factory = k["hub_factory"]
        residents = [k["startup_pestehyar"]] + rng.sample([i for i in startups if i != k["startup_pestehyar"]], 31)
        for startup in residents:
            self.rel(startup, factory, MEMBERSHIP, start=self.day(max(2021, self.orgs[startup].founding_year)))
            if rng.random() < 0.85:
                self.rel(factory, startup, MENTORING)
        themed = {theme: [i for i in startups if self.orgs[i].theme == theme] for theme in STARTUP_COUNTIES}
        self.links(themed["pistachio"], [k["hub_incubator_rafsanjan"]], MEMBERSHIP, 0, 1)
        self.links([k["hub_incubator_rafsanjan"]], themed["pistachio"], MENTORING, 3, 4)
        self.links(themed["mining"], [k["hub_accel_mining"]], MEMBERSHIP, 1, 1)
        self.links([k["hub_accel_mining"]], themed["mining"], MENTORING, 4, 5)
        self.links(startups, [k["hub_incubator_bahonar"]], MEMBERSHIP, 0, 1)  # about half: alumni of the incubator
        self.links([k["hub_park"]], startups + s["i_kb"], MENTORING, 6, 6, local=False)
        self.maybe(s["i_kb"], k["hub_park"], MEMBERSHIP, 0.8)
        self.maybe(s["i_kb"] + [i for i in startups if self.orgs[i].certification], k["ch_kb"], MEMBERSHIP, 0.6)
        self.links(s["i_accelerator"], startups, MENTORING, 4, 6, local=False)
        self.links(s["i_coworking"], startups + s["h_creative"], MEMBERSHIP, 3, 6, reverse=True)
        # money
        self.links([k["inv_fund"]], startups + s["i_kb"], INVESTMENT, 8, 8, local=False)
        self.links([k["inv_angel"]], startups, INVESTMENT, 8, 8, local=False)
        self.links(s["i_investor"], startups + s["i_kb"], INVESTMENT, 3, 5, local=False)
        self.links([k["inv_copper_vc"]], themed["mining"], INVESTMENT, 3, 3, local=False)
        self.links([k["inv_coop_bank"]], s["o_sme"], INVESTMENT, 3, 3, local=False)
        # startups and their first customers
        market = {
            "pistachio": s["p_coop"] + s["p_farm"] + s["p_processor"] + s["p_exporter"] + s["p_terminal"],
            "mining": s["m_large"] + s["m_machining"] + s["m_repair"] + s["m_contractor"],
            "tourism": s["t_hotel"] + s["t_agency"] + s["t_ecolodge"],
            "crafts": s["h_carpet"] + s["h_carpet_coop"] + s["h_pateh"] + s["h_crafts"] + s["h_shop"],
            "dates": s["d_coop"] + s["d_processor"] + s["d_exporter"],
            "tech": s["o_sme"] + s["i_kb"] + s["p_processor"] + s["h_shop"],
            "health": s["o_sme"] + [k["uni_kmu"], k["uni_rums"]],
        }
        for startup in startups:
            theme = self.orgs[startup].theme
            for firm in self.pick(market[theme], rng.randint(2, 4), near=startup):
                type_ = rng.choice((SUPPLY, SUPPLY, PARTNERSHIP)) if theme != "crafts" else rng.choice((CUSTOMER, PARTNERSHIP))
                self.rel(startup, firm, type_)
        self.links(startups, startups, PARTNERSHIP, 0, 1)
        self.links([k["uni_bahonar"], k["uni_kgut"], k["uni_azad_kerman"]], startups, EMPLOYMENT_FLOW, 4, 5, local=False)
        self.links([k["uni_kgut"], k["res_kgut_inst"]], s["i_kb"], TECH_TRANSFER, 2, 3, local=False)
        self.links(startups + s["i_kb"], s["i_service"], CUSTOMER, 0, 1)
        self.links(s["i_service"], s["o_sme"] + s["p_exporter"] + s["h_shop"] + s["m_machining"], CUSTOMER, 1, 2,
                   reverse=True)
        # knowledge-based firms and other SMEs
        self.links(s["i_kb"], s["m_large"] + [k["kerman_motor"], k["kerman_cement"]], SUPPLY, 1, 2, local=False)
        self.links(s["i_kb"], s["o_sme"] + s["p_processor"], SUPPLY, 1, 2)
        self.links(s["o_sme"], [k["kerman_motor"], k["kerman_cement"]], SUPPLY, 0, 1, local=False)
        self.links(s["o_sme"], s["o_sme"], SUPPLY, 1, 2)
        self.links(s["o_sme"], s["o_sme"], PARTNERSHIP, 0, 1)
        self.maybe(s["o_sme"], k["gov_estates"], MEMBERSHIP, 0.5)
        self.maybe(s["o_sme"] + s["i_kb"] + [k["kerman_motor"], k["kerman_cement"]], k["ch_kerman"], MEMBERSHIP, 0.5)
        self.maybe(s["o_sme"], k["ch_house_industry"], MEMBERSHIP, 0.3)
        self.links([k["uni_kmu"]], [i for i in s["i_kb"] if "2100" in self.orgs[i].sectors] + themed["health"], JOINT, 1, 2)
        self.links([k["gov_muni_kerman"]], themed["tech"], CUSTOMER, 2, 2, reverse=True, local=False)
        self.links([k["ngo_youth_bam"], k["ngo_women"]], startups, MENTORING, 1, 2, local=False)
        self.links([k["gov_ostandari"], k["gov_plan"]], [k["hub_factory"], k["hub_park"]], PARTNERSHIP, 1, 1)
        self.links(s["i_service"], [k["hub_factory"]], PARTNERSHIP, 0, 1)

    def local_government(self) -> None:
        """County governorates work with the firms of their county and report to the governorate."""
        k = self.key
        for office in self.seg["g_county"]:
            county = self.orgs[office].county
            local = [i for i, o in enumerate(self.orgs) if o.county == county and o.kind in FIRMS]
            for firm in self.pick(local, self.rng.randint(2, 4)):
                self.rel(office, firm, PARTNERSHIP)
            self.rel(office, k["gov_ostandari"], MEMBERSHIP, strength=5)

    def connect_isolated(self) -> None:
        """Nobody in the demo stands alone: an organization without relations joins the chamber."""
        linked = {r.source for r in self.relations} | {r.target for r in self.relations}
        for index, org in enumerate(self.orgs):
            if index not in linked:
                self.rel(index, self.key["ch_kerman" if org.kind in FIRMS | {SERVICE} else "gov_ostandari"], MEMBERSHIP)

    def survey_ties(self) -> None:
        """Weak ties from the cluster survey: firms that know and occasionally work with each other."""
        rng = self.rng
        firms = [i for i, o in enumerate(self.orgs) if o.kind in FIRMS]
        by_domain: dict[str, list[int]] = {}
        for i in firms:
            by_domain.setdefault(self.orgs[i].domain, []).append(i)
        for firm in firms:
            for other in self.pick(by_domain[self.orgs[firm].domain], rng.randint(1, 3), near=firm, exclude=firm):
                type_ = rng.choice((PARTNERSHIP, PARTNERSHIP, CUSTOMER, SUPPLY, EMPLOYMENT_FLOW))
                self.rel(firm, other, type_, strength=rng.randint(1, 2), origin="survey")

    # - clusters and users -
    def clusters(self) -> list[ClusterPlan]:
        plans = []
        for spec in CLUSTERS:
            plan = ClusterPlan(key=spec["key"], name_fa=normalize(spec["name_fa"]), name_en=spec["name_en"],
                               sectors=spec["sectors"], counties=spec["counties"], type=spec["type"],
                               stage=spec["stage"], tech_level=spec["tech_level"], origin=spec["origin"],
                               description=normalize(spec["description"]))
            for index, org in enumerate(self.orgs):
                role = org.clusters.get(spec["key"])
                if role:
                    joined = self.day(self.rng.randint(max(spec["since"], org.founding_year), AS_OF.year - 1))
                    plan.members.append((index, role, joined))
            plans.append(plan)
        # cluster development agents: hosted by the chamber or the public body that runs the program
        hosts = {"pistachio": "ch_kerman", "copper": "gov_smt", "crafts_tourism": "gov_heritage", "dates": "ch_kerman"}
        for plan in plans:
            host = self.key[hosts[plan.key]]
            person = self.person("cda", host, domain="cda", username="demo-pistachio" if plan.key == "pistachio" else "")
            since = next(spec["since"] for spec in CLUSTERS if spec["key"] == plan.key)
            self.role(person, host, "cda", f"عامل توسعه {plan.name_fa}", start=self.day(since))
            members = [m[0] for m in plan.members if self.orgs[m[0]].kind in FIRMS]
            for firm in self.rng.sample(members, 2):
                self.role(person, firm, "consultant")
            plan.agent = person
        return plans

    def users(self, clusters: list[ClusterPlan]) -> list[UserPlan]:
        by_username = {p.username: i for i, p in enumerate(self.people) if p.username}
        return [
            UserPlan("demo-pistachio", by_username["demo-pistachio"], "cluster_staff", cluster="pistachio"),
            UserPlan("demo-factory", by_username["demo-factory"], "hub_staff", organization=self.key["hub_factory"]),
            UserPlan("demo-startup", by_username["demo-startup"], "member", organization=self.key["startup_pestehyar"]),
        ]

    def build(self) -> Plan:
        self.anchors()
        self.segments()
        self.startups()
        for i, org in enumerate(self.orgs, start=1):
            org.external_id = f"{PREFIX}org-{i:04d}"
        self.staff()
        self.agreements_and_their_relations()
        self.pistachio()
        self.copper()
        self.crafts_and_tourism()
        self.dates()
        self.innovation()
        self.local_government()
        self.survey_ties()
        self.connect_isolated()
        clusters = self.clusters()
        users = self.users(clusters)
        for i, person in enumerate(self.people, start=1):
            person.external_id = f"{PREFIX}person-{i:04d}"
        for i, relation in enumerate(self.relations, start=1):
            relation.external_id = f"{PREFIX}rel-{i:05d}"
        return Plan(counties=self.counties, organizations=self.orgs, people=self.people, relations=self.relations,
                    agreements=self.agreements, clusters=clusters, users=users)


def build_plan() -> Plan:
    """The whole demo ecosystem in memory: the same on every run (no database needed)."""
    return _Builder().build()


# -- writing --------------------------------------------------------------------------------------
# (models are imported inside the functions: build_plan() and this module work without a configured Django)
class _NoProgress:
    def update(self, *args, **kwargs):
        pass


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator:
    if not enabled:
        yield None, _NoProgress()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()) as bar:
        task = bar.add_task(_("Kerman demo"), total=total)
        yield task, bar


def _references(plan: Plan):
    from .models import Region, Sector

    province = Region.objects.filter(code=PROVINCE_CODE).first()
    if province is None:
        raise DemoError(_("The reference data is missing: region %(code)s (Kerman province) does not exist. "
                          "Run “khooshe migrate” first, then load the demo again.") % {"code": PROVINCE_CODE})
    by_name = {}
    for region in Region.objects.filter(parent=province):
        by_name[fold(region.name_fa)] = region
        by_name[fold(region.name_fa).replace(" ", "")] = region
    regions, missing = {}, []
    for key, county in plan.counties.items():
        region = by_name.get(fold(county["name_fa"])) or by_name.get(fold(county["name_fa"]).replace(" ", ""))
        if region is None:
            missing.append(county["name_fa"])
        regions[key] = region or province  # a county the reference data lacks: place on the province
    codes = sorted({c for o in plan.organizations for c in o.sectors + o.capability_sectors + o.need_sectors}
                   | {c for cl in plan.clusters for c in cl.sectors})
    sectors = {s.code: s for s in Sector.objects.filter(scheme=SECTOR_SCHEME, code__in=codes)}
    absent = [c for c in codes if c not in sectors]
    if absent:
        raise DemoError(_("The reference data is missing: ISIC Rev.4 sectors %(codes)s do not exist. "
                          "Run “khooshe migrate” first, then load the demo again.") % {"codes": ", ".join(absent)})
    return regions, sectors, missing


def _free_national_ids(plan: Plan) -> None:
    """Replace a generated national ID that a non-demo organization already has (never in a fresh database)."""
    from .models import Organization

    wanted = [o.national_id for o in plan.organizations if o.national_id]
    taken = set(Organization.objects.filter(national_id__in=wanted).values_list("national_id", flat=True))
    if not taken:
        return
    used = set(wanted) | taken
    for org in plan.organizations:
        if org.national_id in taken:
            rng = random.Random(org.external_id)
            while org.national_id in used or Organization.objects.filter(national_id=org.national_id).exists():
                org.national_id = make_iranian_legal_id(f"10{rng.randrange(10**8):08d}")
            used.add(org.national_id)


def _write(plan: Plan, task, bar) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from .models import (
        Agreement,
        Cluster,
        ClusterMembership,
        Organization,
        Person,
        PersonRole,
        Relation,
        Role,
    )

    regions, sectors, missing = _references(plan)
    if missing:
        logger.warning("Kerman demo: counties missing from the reference data, placed on the province: %s",
                       ", ".join(missing))
    _free_national_ids(plan)

    bar.update(task, description=_("Organizations"))
    orgs = []
    for o in plan.organizations:
        org = Organization(
            kind=o.kind, name_fa=o.name_fa, name_en=o.name_en, national_id=o.national_id, external_id=o.external_id,
            website=o.website, founding_year=o.founding_year, employee_band=o.employee_band, region=regions[o.county],
            address=o.address, latitude=o.latitude, longitude=o.longitude, description=o.description,
            capabilities=o.capabilities, needs=o.needs, tech_level=o.tech_level, certification=o.certification,
            certified_from=o.certified_from, certified_until=o.certified_until, visibility=o.visibility)
        org.prepare_for_save()
        orgs.append(org)
    Organization.objects.bulk_create(orgs, batch_size=500)
    links = []
    for field_name in ("sectors", "capability_sectors", "need_sectors"):
        through = getattr(Organization, field_name).through
        rows = [through(organization_id=org.pk, sector_id=sectors[code].pk)
                for org, o in zip(orgs, plan.organizations, strict=True) for code in dict.fromkeys(getattr(o, field_name))]
        links.append((through, rows))
    for through, rows in links:
        through.objects.bulk_create(rows, batch_size=1000)
    bar.update(task, advance=1)

    bar.update(task, description=_("People and accounts"))
    User = get_user_model()
    hashed = make_password(PASSWORD)  # one hash for the three accounts: hashing is the slow part
    users = {}
    for u in plan.users:
        person = plan.people[u.person]
        user = User.objects.filter(username=u.username).first()
        if user is None:
            user = User.objects.create_user(u.username, email=person.email, password=None,
                                            first_name=person.first_name_fa, last_name=person.last_name_fa)
        user.password = hashed
        user.is_active = True
        user.save()
        users[u.username] = user
    linked = set(Person.objects.filter(user__in=list(users.values())).values_list("user_id", flat=True))
    people = []
    for p in plan.people:
        user = users.get(p.username)
        person = Person(first_name_fa=p.first_name_fa, last_name_fa=p.last_name_fa, full_name_en=p.full_name_en,
                        kind=p.kind, external_id=p.external_id, email=p.email, phone=p.phone, region=regions[p.county],
                        expertise=p.expertise, visibility=p.visibility,
                        user=user if user is not None and user.pk not in linked else None)
        person.refresh_search_text()
        people.append(person)
    Person.objects.bulk_create(people, batch_size=500)
    through = Person.expertise_sectors.through
    through.objects.bulk_create([through(person_id=person.pk, sector_id=sectors[code].pk)
                                 for person, p in zip(people, plan.people, strict=True) for code in p.expertise_sectors],
                                batch_size=1000)
    PersonRole.objects.bulk_create([
        PersonRole(person=person, organization=orgs[org], role=role, title=title, start_date=start)
        for person, p in zip(people, plan.people, strict=True) for org, role, title, start in p.roles
    ], batch_size=1000)
    bar.update(task, advance=1)

    bar.update(task, description=_("Agreements"))
    agreements = {}
    for a in plan.agreements:
        agreement = Agreement(title=a.title, kind=a.kind, subject=a.subject, signed_on=a.signed_on,
                              start_date=a.start_date, end_date=a.end_date, visibility=a.visibility)
        agreement.refresh_search_text()
        agreements[a.key] = agreement
    Agreement.objects.bulk_create(list(agreements.values()))
    through = Agreement.parties.through
    through.objects.bulk_create([through(agreement_id=agreements[a.key].pk, organization_id=orgs[i].pk)
                                 for a in plan.agreements for i in a.parties])
    bar.update(task, advance=1)

    bar.update(task, description=_("Relations"))
    relations = []
    for r in plan.relations:
        relation = Relation(source=orgs[r.source], target=orgs[r.target], type=r.type, strength=r.strength,
                            start_date=r.start_date, end_date=r.end_date, origin=r.origin,
                            agreement=agreements[r.agreement] if r.agreement else None, external_id=r.external_id)
        relation.prepare_for_save()
        relations.append(relation)
    Relation.objects.bulk_create(relations, batch_size=1000)
    bar.update(task, advance=1)

    bar.update(task, description=_("Clusters"))
    clusters = {}
    for c in plan.clusters:
        cluster = Cluster(name_fa=c.name_fa, name_en=c.name_en, type=c.type, stage=c.stage, tech_level=c.tech_level,
                          origin=c.origin, description=c.description, development_agent=people[c.agent])
        cluster.refresh_search_text()
        clusters[c.key] = cluster
    Cluster.objects.bulk_create(list(clusters.values()))
    for field_name, values in (("sectors", lambda c: [sectors[code].pk for code in c.sectors]),
                               ("regions", lambda c: list(dict.fromkeys(regions[k].pk for k in c.counties)))):
        through = getattr(Cluster, field_name).through
        column = "sector_id" if field_name == "sectors" else "region_id"
        through.objects.bulk_create([through(cluster_id=clusters[c.key].pk, **{column: pk})
                                     for c in plan.clusters for pk in values(c)])
    ClusterMembership.objects.bulk_create([
        ClusterMembership(cluster=clusters[c.key], organization=orgs[i], role=role, joined_on=joined)
        for c in plan.clusters for i, role, joined in c.members
    ], batch_size=1000)
    for u in plan.users:
        Role.objects.create(user=users[u.username], kind=u.role,
                            organization=orgs[u.organization] if u.organization >= 0 else None,
                            cluster=clusters[u.cluster] if u.cluster else None)
    bar.update(task, advance=1)


# -- public API -----------------------------------------------------------------------------------
def demo_exists() -> bool:
    """Whether a demo is loaded: some organization has an external ID starting with ``demo-``."""
    from .models import Organization

    return Organization.objects.filter(external_id__startswith=PREFIX).exists()


def summary(lead: str = "") -> str:
    """One paragraph: ``lead`` (what happened), then the counts of the loaded demo and its accounts."""
    from django.db.models import Count

    from .models import (
        Agreement,
        Cluster,
        ClusterMembership,
        Organization,
        Person,
        PersonRole,
        Relation,
        Role,
    )

    orgs = Organization.objects.filter(external_id__startswith=PREFIX)
    relations = Relation.objects.filter(external_id__startswith=PREFIX)
    classes = dict(relations.order_by().values_list("classification").annotate(n=Count("pk")))
    people = Person.objects.filter(external_id__startswith=PREFIX)
    clusters = Cluster.objects.filter(memberships__organization__in=orgs).distinct()
    accounts = []
    for role in Role.objects.filter(user__username__in=USERNAMES).select_related("user", "organization", "cluster"):
        accounts.append(_("%(username)s (%(role)s: %(target)s)") % {
            "username": role.user.username, "role": role.get_kind_display(), "target": role.cluster or role.organization})
    return _(
        "%(lead)s: %(orgs)s organizations of %(kinds)s kinds in %(counties)s counties, %(people)s people "
        "in %(roles)s roles, %(relations)s relations (%(horizontal)s horizontal, %(vertical)s vertical, "
        "%(institutional)s institutional), %(clusters)s clusters with %(members)s members and %(agreements)s "
        "agreements. Demo accounts, all with the password “%(password)s”: %(accounts)s."
    ) % {
        "lead": lead or _("Kerman demo ecosystem"), "orgs": orgs.count(), "kinds": orgs.order_by().values("kind").distinct().count(),
        "counties": orgs.order_by().values("region").distinct().count(), "people": people.count(),
        "roles": PersonRole.objects.filter(person__in=people).count(), "relations": relations.count(),
        "horizontal": classes.get("horizontal", 0), "vertical": classes.get("vertical", 0),
        "institutional": classes.get("institutional", 0), "clusters": clusters.count(),
        "members": ClusterMembership.objects.filter(cluster__in=clusters).count(),
        "agreements": Agreement.objects.filter(parties__in=orgs).distinct().count(), "password": PASSWORD,
        "accounts": "; ".join(accounts) or _("none"),
    }


def load_demo(progress: bool = False, *, reset: bool = False) -> str:
    """Load the Kerman demo ecosystem in one transaction and return a one-paragraph summary.

    Parameters
    ----------
    progress
        Show a rich progress bar (the ``khooshe demo`` command does).
    reset
        Remove a demo loaded earlier (and everything attached to it) first, then load it again.
        Without it, a loaded demo is left as it is (with the changes made to it) and nothing is written.

    Raises
    ------
    DemoError
        When the reference data (Kerman's regions, ISIC sectors) is missing: run ``khooshe migrate``.
    """
    with transaction.atomic(), _without_audit():  # the demo is nobody's edit: no audit entries
        transaction.on_commit(bump_page_cache)  # bulk writes send no signals
        if reset:
            remove_demo()
        if demo_exists():
            return summary(_("The Kerman demo ecosystem was already loaded, so nothing was changed "
                             "(load_demo(reset=True) loads it again from scratch). It has"))
        _reindex_after_commit()
        plan = build_plan()
        with _progress(progress, total=5) as (task, bar):
            _write(plan, task, bar)
            bar.update(task, description=_("Kerman demo"))
        return summary(_("Loaded the Kerman demo ecosystem"))


def _reindex_after_commit() -> None:
    """Bulk writes send no signals: rebuild the search indexes of what the demo writes."""
    from khooshe.search.documents import after_bulk_write

    after_bulk_write("registry.Organization", "registry.Person", "registry.Cluster", "registry.Agreement")


# The other apps' parts of the demo (each app's ``demo`` module: ``load_demo(user=...)`` returns a summary line
# or "" when its part is there; ``remove_demo()`` deletes it, before the organizations it hangs on).
APP_PARTS = ("programs", "matching", "missions", "hubs")


def load_app_parts(user) -> list[str]:
    """Load the programs, challenges, missions and hubs of the demo through each app's services, as ``user``
    (an administrator); returns the summary lines of the parts that were loaded now."""
    return [line for app in APP_PARTS if (line := import_module(f"khooshe.{app}.demo").load_demo(user=user))]


def remove_app_parts() -> None:
    for app in reversed(APP_PARTS):
        import_module(f"khooshe.{app}.demo").remove_demo()


def remove_demo() -> int:
    """Delete the demo: its organizations, people, relations, clusters, agreements and demo accounts.

    Records that are not the demo's are kept: an agreement or a cluster that also involves a
    non-demo organization stays (only its demo parties or members go). Returns the number of
    demo organizations deleted.
    """
    from django.contrib.auth import get_user_model

    from .models import Agreement, Cluster, Organization, Person

    with transaction.atomic(), _without_audit():
        transaction.on_commit(bump_page_cache)  # bulk writes send no signals
        _reindex_after_commit()
        remove_app_parts()
        demo_orgs = Organization.objects.filter(external_id__startswith=PREFIX)
        others = Organization.objects.exclude(pk__in=demo_orgs.values("pk"))
        Agreement.objects.filter(parties__in=demo_orgs).exclude(parties__in=others).delete()
        names = [normalize(c["name_fa"]) for c in CLUSTERS]
        Cluster.objects.filter(name_fa__in=names).exclude(memberships__organization__in=others).delete()
        get_user_model().objects.filter(username__in=USERNAMES).delete()
        count = demo_orgs.count()
        demo_orgs.delete()
        Person.objects.filter(external_id__startswith=PREFIX).delete()
        return count


@contextmanager
def _without_audit():
    """Writing or deleting the demo's records is nobody's edit: no audit entries for them."""
    try:
        from auditlog.context import disable_auditlog
    except ImportError:  # pragma: no cover - older django-auditlog
        yield
        return
    with disable_auditlog():
        yield
