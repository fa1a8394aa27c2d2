"""Shared pieces of the benchmark scripts: environment, measurement helpers and the data generator.

Every script runs against its own data directory and PostgreSQL database (defaults below, override with
the environment), never against a developer's ``var/`` or another helper's database.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import statistics
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
DEFAULT_ENV = {
    "KHOOSHE_DATA_DIR": "/tmp/khooshe-bench",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/khooshe_bench",
}


def setup_environment() -> dict[str, str]:
    """Fill in the benchmark defaults (data dir, database) and return the environment for subprocesses."""
    for key, value in DEFAULT_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khooshe.config.settings")
    src = str(ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    return dict(os.environ)


def setup_django():
    setup_environment()
    import django

    django.setup()


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def machine_description() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        pg = "psql not found"
    return (f"{os.cpu_count()} CPUs ({cpu}), {mem_gb:.0f} GiB RAM, {platform.platform()}, "
            f"Python {platform.python_version()}, {pg}")


def today() -> str:
    return dt.date.today().isoformat()


def database_url() -> str:
    setup_environment()
    return os.environ["DATABASE_URL"]


def psycopg_conninfo(url: str | None = None) -> str:
    """A libpq connection string from a postgres:// URL (psycopg accepts URLs as they are)."""
    url = url or database_url()
    return url.replace("postgres://", "postgresql://", 1)


# -- a realistic, reproducible organization generator --------------------------------------------------
# (Persian, English) words an organization's name is made of; "فناوری" (technology) is the common word the
# search benchmark looks for.
ACTIVITIES = [
    ("فناوری", "Technology"), ("فناوری اطلاعات", "IT"), ("نوآوران", "Innovators"), ("داده", "Data"),
    ("هوشمند", "Smart"), ("پردازش", "Processing"), ("انرژی", "Energy"), ("سامانه", "Systems"),
    ("صنایع", "Industries"), ("مهندسی", "Engineering"), ("توسعه", "Development"), ("تجارت", "Trade"),
    ("الکترونیک", "Electronics"), ("نرم‌افزار", "Software"), ("کشاورزی", "Agriculture"),
    ("صنایع غذایی", "Food"), ("پسته", "Pistachio"), ("فرش", "Carpet"), ("مس", "Copper"), ("معدن", "Mining"),
    ("دارو", "Pharma"), ("زیست‌فناوری", "Biotech"), ("سلامت", "Health"), ("تجهیزات پزشکی", "Medical"),
    ("رباتیک", "Robotics"), ("ارتباطات", "Communications"), ("خودرو", "Automotive"), ("ساختمان", "Construction"),
    ("آب", "Water"), ("انرژی خورشیدی", "Solar"), ("بازرگانی", "Commerce"), ("طراحی", "Design"),
    ("صنایع دستی", "Handicrafts"), ("بازی‌سازی", "Games"), ("رسانه", "Media"), ("آموزش", "Education"),
    ("فین‌تک", "Fintech"), ("بیمه", "Insurance"), ("لجستیک", "Logistics"), ("حمل‌ونقل", "Transport"),
    ("گردشگری", "Tourism"), ("نساجی", "Textiles"), ("چرم", "Leather"), ("پتروشیمی", "Petrochemicals"),
    ("پلیمر", "Polymers"), ("فولاد", "Steel"), ("سیمان", "Cement"), ("کاشی", "Tiles"), ("زعفران", "Saffron"),
    ("خرما", "Dates"), ("گلاب", "Rosewater"), ("هوش مصنوعی", "AI"), ("اینترنت اشیا", "IoT"),
]
QUALIFIERS = [
    ("پارس", "Pars"), ("ایرانیان", "Iranian"), ("کویر", "Kavir"), ("آریا", "Arya"), ("نوین", "Novin"),
    ("سبز", "Green"), ("پیشرو", "Pishro"), ("برتر", "Bartar"), ("آینده", "Future"), ("امید", "Omid"),
    ("سپهر", "Sepehr"), ("البرز", "Alborz"), ("زاگرس", "Zagros"), ("خلیج فارس", "Persian Gulf"),
    ("ستاره", "Setareh"), ("افق", "Ofogh"), ("کیمیا", "Kimia"), ("پویا", "Pouya"), ("آسمان", "Aseman"),
    ("راهبرد", "Rahbord"), ("دانش", "Danesh"), ("اندیشه", "Andisheh"), ("پایدار", "Paydar"), ("نگین", "Negin"),
]
TEMPLATES_BY_KIND = {
    "startup": ["{a} {q}", "{a} {a2} {q}", "{q} {a}"],
    "knowledge_based": ["شرکت دانش‌بنیان {a} {q}", "{a} {a2} {q}", "شرکت {a} {q}"],
    "creative": ["شرکت خلاق {a} {q}", "{a} {q} {city}"],
    "sme": ["شرکت {a} {q} {city}", "تولیدی {a} {q}", "{a} {city}"],
    "large": ["شرکت صنایع {a} {q}", "گروه صنعتی {a} {q}", "شرکت {a} {city}"],
    "university": ["دانشگاه {city}", "دانشگاه {a} {city}", "دانشکده {a} {city}"],
    "research": ["پژوهشگاه {a} {q}", "مرکز تحقیقات {a} {city}"],
    "investor": ["صندوق پژوهش و فناوری {city}", "صندوق سرمایه‌گذاری {a} {q}"],
    "accelerator": ["شتاب‌دهنده {q} {a}", "شتاب‌دهنده {city}"],
    "innovation_factory": ["کارخانه نوآوری {city}", "کارخانه نوآوری {q}"],
    "creative_house": ["خانه خلاق {city}", "خانه خلاق {a}"],
    "coworking": ["فضای کار اشتراکی {q}", "فضای کار اشتراکی {city}"],
    "government": ["اداره کل {a} استان {province}", "سازمان {a} {province}"],
    "chamber": ["اتاق بازرگانی {city}", "انجمن {a} {province}", "اتحادیه {a} {city}"],
    "cooperative": ["تعاونی {a} {city}", "تعاونی تولیدی {a} {q}"],
    "ngo": ["انجمن حمایت از {a} {city}", "سازمان مردم‌نهاد {a} {q}"],
    "service_provider": ["خدمات {a} {q}", "مشاوران {a} {q}"],
}
# Share of each kind in the generated population (startups and SMEs dominate, as in a real registry).
KIND_WEIGHTS = {
    "startup": 25, "knowledge_based": 15, "creative": 5, "sme": 25, "large": 3, "university": 1, "research": 1,
    "investor": 1, "accelerator": 1, "innovation_factory": 0.5, "creative_house": 0.5, "coworking": 0.5,
    "government": 2, "chamber": 2, "cooperative": 5, "ngo": 2, "service_provider": 10.5,
}
BANDS = ["1-9", "10-49", "50-99", "100-249", "250-999", "1000+"]
TECH_LEVELS = ["low", "medium_low", "medium_high", "high", "creative"]
SENTENCES = [
    "{name} در زمینه {a} و {a2} در {city} فعالیت می‌کند.",
    "طراحی، تولید و فروش محصولات {a} برای مشتریان صنعتی {province}.",
    "ارائه خدمات {a} و مشاوره {a2} به شرکت‌های کوچک و متوسط.",
    "همکاری با دانشگاه‌ها و مراکز پژوهشی در پروژه‌های {a}.",
    "صادرات {a} به کشورهای همسایه و توسعه بازار {a2}.",
]


def national_id(index: int) -> str:
    """A valid, unique 11-digit Iranian legal-entity ID for the index-th organization."""
    from khooshe.registry.validators import make_iranian_legal_id

    # +1000: digits 4 to 9 of a valid ID are never all zero.
    return make_iranian_legal_id(f"14{index + 1000:08d}")


def organization_rows(count: int, *, seed: int, regions: list[tuple], sector_codes: list[str]) -> Iterator[dict]:
    """``count`` organizations as plain dicts (the same for a given seed): realistic Persian names.

    ``regions`` is a list of (code, county_name_fa, province_name_fa) of counties; ``sector_codes`` a list of
    ISIC class codes to tag organizations with.
    """
    rng = random.Random(seed)
    kinds, weights = zip(*KIND_WEIGHTS.items(), strict=True)
    for index in range(count):
        kind = rng.choices(kinds, weights)[0]
        (a, a_en), (a2, a2_en) = rng.sample(ACTIVITIES, 2)
        q, q_en = rng.choice(QUALIFIERS)
        region_code, city, province = rng.choice(regions)
        values = {"a": a, "a2": a2, "q": q, "city": city, "province": province}
        name_fa = rng.choice(TEMPLATES_BY_KIND[kind]).format(**values)
        # Names repeat (two "دانشگاه کرمان" in different data sets): keep them apart with a number.
        if rng.random() < 0.5:
            name_fa = f"{name_fa} {index % 997 + 1}"
        name_en = f"{a_en} {a2_en} {q_en}" if rng.random() < 0.5 else ""
        description = " ".join(rng.choice(SENTENCES).format(name=name_fa, **values)
                               for _ in range(rng.randint(1, 2)))
        capabilities = "، ".join(x[0] for x in rng.sample(ACTIVITIES, 3))
        band = rng.choice(BANDS) if rng.random() < 0.8 else ""
        yield {
            "kind": kind,
            "name_fa": name_fa,
            "name_en": name_en,
            "national_id": national_id(index) if rng.random() < 0.7 else "",
            "external_id": f"bench-{index + 1}",
            "website": f"https://org{index + 1}.example.ir" if rng.random() < 0.4 else "",
            "founding_year": rng.randint(1960, 2024) if rng.random() < 0.9 else None,
            "employee_band": band,
            "region": region_code,
            "sectors": rng.sample(sector_codes, rng.randint(1, 3)) if sector_codes else [],
            "description": description,
            "capabilities": capabilities,
            "tech_level": rng.choice(TECH_LEVELS) if rng.random() < 0.6 else "",
            "visibility": "public" if rng.random() < 0.95 else "private",
        }
