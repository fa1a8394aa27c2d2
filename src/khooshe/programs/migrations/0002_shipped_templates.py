"""Load the program templates shipped in programs/data/templates (UNIDO six steps, the ministry's four
phases, an empty program). Existing templates with the same key are left as staff edited them."""

from pathlib import Path

from django.db import migrations

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "data" / "templates"


def load(apps, schema_editor):
    from khooshe.programs import templates_io

    ProgramTemplate = apps.get_model("programs", "ProgramTemplate")
    for path in sorted(TEMPLATE_DIR.glob("*.json")):
        data = templates_io.loads(path.read_bytes())
        ProgramTemplate.objects.get_or_create(key=data["key"], defaults={
            "name_fa": data["name_fa"], "name_en": data["name_en"], "description": data["description"],
            "source": data["source"], "content": data["content"]})


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
