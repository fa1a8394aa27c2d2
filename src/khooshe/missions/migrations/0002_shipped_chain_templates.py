"""The shipped chain templates (pharmaceuticals, food processing, handicrafts, software) as editable data."""

import json
from pathlib import Path

from django.db import migrations

from khooshe.core.text import search_text

DATA = Path(__file__).resolve().parent.parent / "data" / "templates"


def load(apps, schema_editor):
    ChainTemplate = apps.get_model("missions", "ChainTemplate")
    for path in sorted(DATA.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        ChainTemplate.objects.get_or_create(key=doc["key"], defaults={
            "name_fa": doc["name_fa"], "name_en": doc["name_en"], "stages": json.dumps(doc["stages"], ensure_ascii=False, indent=1),
            "search_text": search_text(doc["key"], doc["name_fa"], doc["name_en"])})


class Migration(migrations.Migration):
    dependencies = [("missions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
