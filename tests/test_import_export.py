"""Import and export of organizations, people and relations (CSV and XLSX; UI, CLI and service)."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from table_files import write_file
from typer.testing import CliRunner

from khooshe.core.generic import get_config
from khooshe.core.models import ImportRun
from khooshe.core.tabular import import_file, write_table
from khooshe.registry import tabular as registry_tabular
from khooshe.registry.models import (
    Cluster,
    ClusterMembership,
    Organization,
    Person,
    PersonRole,
    Region,
    Relation,
    Role,
    Sector,
)
from khooshe.registry.validators import make_iranian_legal_id

pytestmark = pytest.mark.django_db

NID_A = make_iranian_legal_id("1086180287")  # 10861802874
NID_B = make_iranian_legal_id("1010165655")
NID_C = make_iranian_legal_id("1400123456")

ORG_HEADER = ["national_id", "external_id", "name_fa", "name_en", "kind", "sectors", "region", "founding_year",
              "employee_band", "latitude", "longitude", "certification", "certified_from", "website"]


@pytest.fixture(autouse=True)
def english():
    """Reports in English unless a test asks for Persian (the site's default language is Persian)."""
    with translation.override("en"):
        yield


@pytest.fixture
def reference(db):
    """The few ISIC sectors and regions the files use (codes as in common.md)."""
    c = Sector.objects.create(scheme="ISIC4", code="C", level=1, title_en="Manufacturing")
    d10 = Sector.objects.create(scheme="ISIC4", code="10", level=2, parent=c, title_en="Food products")
    g107 = Sector.objects.create(scheme="ISIC4", code="107", level=3, parent=d10, title_en="Other food")
    Sector.objects.create(scheme="ISIC4", code="1079", level=4, parent=g107, title_en="Other food n.e.c.")
    a = Sector.objects.create(scheme="ISIC4", code="A", level=1, title_en="Agriculture")
    d01 = Sector.objects.create(scheme="ISIC4", code="01", level=2, parent=a, title_en="Crops")
    g012 = Sector.objects.create(scheme="ISIC4", code="012", level=3, parent=d01, title_en="Perennial crops")
    Sector.objects.create(scheme="ISIC4", code="0125", level=4, parent=g012, title_en="Tree and bush fruits, nuts")
    iran = Region.objects.create(code="IR", kind="country", name_fa="ایران", name_en="Iran")
    kerman = Region.objects.create(code="IR-108", kind="province", parent=iran, name_fa="کرمان", name_en="Kerman")
    Region.objects.create(code="IR-1080008", kind="county", parent=kerman, name_fa="کرمان", name_en="Kerman")
    Region.objects.create(code="IR-1080005", kind="county", parent=kerman, name_fa="رفسنجان", name_en="Rafsanjan")
    return {"kerman": kerman}


def good_org_rows() -> list[list]:
    return [
        ORG_HEADER,
        [NID_A, "K-1", "پسته كرمان", "Kerman Pistachio", "sme", "C;1079", "IR-108", "2010", "35", "30.28", "57.08",
         "knowledge_based", "1402/01/15", "pistachio.example.ir"],
        [NID_B, "", "کارخانه نوآوری کرمان", "", "Innovation factory", "", "رفسنجان", "", "", "", "", "", "", ""],
        ["", "K-3", "باغ گردو", "", "startup", "A;0125", "IR-1080008", "2021", "1-9", "", "", "", "", ""],
    ]


def spec(model):
    return get_config(model).tabular_spec


def run(model, path, **kwargs):
    return import_file(spec(model), path, **kwargs)


def error_cells(report) -> set[tuple]:
    return {(p.row, p.column, p.value) for p in report.errors}


# -- organizations -------------------------------------------------------------------------------------
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_good_file_creates_every_organization(reference, tmp_path, admin_user, extension):
    path = write_file(tmp_path, f"orgs.{extension}", good_org_rows())
    report = run(Organization, path, user=admin_user)

    assert report.ok and report.applied, report.errors
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    pistachio = Organization.objects.get(national_id=NID_A)
    assert pistachio.name_fa == "پسته کرمان"  # Arabic kaf normalized
    assert pistachio.name_key and "pistachio" in pistachio.search_text
    assert sorted(s.code for s in pistachio.sectors.all()) == ["1079", "C"]
    assert pistachio.region.code == "IR-108"
    assert (pistachio.employee_band, pistachio.size_class) == ("10-49", "small")  # head count 35 -> band
    assert pistachio.certified_from == dt.date(2023, 4, 4)  # Jalali 1402/01/15
    assert pistachio.website == "https://pistachio.example.ir"
    factory = Organization.objects.get(national_id=NID_B)
    assert factory.kind == "innovation_factory"  # the English label is accepted
    assert factory.region.code == "IR-1080005"  # by Persian name
    assert Organization.objects.get(external_id="K-3").region.code == "IR-1080008"


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_reimport_updates_instead_of_duplicating(reference, tmp_path, admin_user, extension):
    rows = good_org_rows()
    run(Organization, write_file(tmp_path, f"first.{extension}", rows), user=admin_user)
    rows[2][7] = "2018"  # the factory gets a founding year
    rows[3][3] = "Walnut Orchard"
    report = run(Organization, write_file(tmp_path, f"second.{extension}", rows), user=admin_user)

    assert report.applied and (report.created, report.updated, report.unchanged) == (0, 2, 1)
    assert Organization.objects.count() == 3
    assert Organization.objects.get(national_id=NID_B).founding_year == 2018
    assert Organization.objects.get(external_id="K-3").name_en == "Walnut Orchard"


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(reference, tmp_path, admin_user, extension):
    run(Organization, write_file(tmp_path, "orgs.csv", good_org_rows()), user=admin_user)
    exported = tmp_path / f"export.{extension}"
    write_table(exported, spec(Organization).export_rows(Organization.objects.all()))
    entries = LogEntry.objects.count()

    report = run(Organization, exported, user=admin_user)

    assert report.applied and report.errors == []
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert LogEntry.objects.count() == entries  # nothing changed, nothing logged


def test_bad_file_writes_nothing_and_names_every_problem(reference, tmp_path, admin_user):
    header = ["national_id", "external_id", "name_fa", "kind", "sectors", "founding_yeer"]
    rows = [
        header,
        [NID_A, "K-1", "درست", "sme", "C", "2010"],  # a good row: still not written
        ["12345", "", "شناسه کوتاه", "sme", "", ""],  # bad national ID
        [NID_B, "", "بخش ناشناخته", "sme", "C;9999", ""],  # unknown sector code
        [NID_A, "", "تکراری", "sme", "", ""],  # duplicate of row 2
        [NID_C, "", "نوع بد", "spaceship", "", ""],  # bad choice
    ]
    entries = LogEntry.objects.count()
    report = run(Organization, write_file(tmp_path, "bad.csv", rows), user=admin_user)

    assert not report.applied
    assert Organization.objects.count() == 0 and LogEntry.objects.count() == entries
    cells = error_cells(report)
    assert (1, "founding_yeer", "founding_yeer") in cells  # unknown column, reported on the header row
    assert (3, "national_id", "12345") in cells
    assert (4, "sectors", "C;9999") in cells
    assert (5, "national_id", NID_A) in cells
    assert (6, "kind", "spaceship") in cells
    messages = " ".join(p.message for p in report.errors)
    assert "did you mean “founding_year”" in messages
    assert "11 digits" in messages and "“9999”" in messages and "row 2" in messages and "startup" in messages
    assert ImportRun.objects.get(pk=report.run_id).status == ImportRun.Status.INVALID


def test_missing_required_column_is_reported_before_any_row(reference, tmp_path, admin_user):
    path = write_file(tmp_path, "orgs.csv", [["national_id", "name_en"], [NID_A, "No Persian name"]])
    report = run(Organization, path, user=admin_user)
    assert {(p.row, p.column) for p in report.errors} == {(1, "name_fa"), (1, "kind")}
    assert report.rows == 0 and Organization.objects.count() == 0


def test_national_id_of_another_organization_is_an_error(reference, tmp_path, admin_user):
    Organization.objects.create(kind="sme", name_fa="موجود", national_id=NID_A, external_id="OLD-1")
    path = write_file(tmp_path, "orgs.csv", [["national_id", "external_id", "name_fa", "kind"],
                                             [NID_A, "NEW-1", "دیگر", "sme"]])
    report = run(Organization, path, user=admin_user)
    assert (2, "national_id", NID_A) in error_cells(report)
    assert "OLD-1" in report.errors[0].message
    assert Organization.objects.get(national_id=NID_A).name_fa == "موجود"


def test_rows_without_key_are_created_with_a_warning(reference, tmp_path, admin_user):
    path = write_file(tmp_path, "orgs.csv", [["name_fa", "kind"], ["بدون شناسه", "sme"]])
    assert run(Organization, path, user=admin_user).created == 1
    second = run(Organization, path, user=admin_user)
    assert second.created == 1 and Organization.objects.count() == 2
    warnings = " ".join(p.message for p in second.warnings)
    assert "new organizations every time" in warnings and "name of an existing organization" in warnings


def test_dry_run_reports_without_writing(reference, tmp_path, admin_user):
    report = run(Organization, write_file(tmp_path, "orgs.csv", good_org_rows()), user=admin_user, dry_run=True)
    assert report.ok and not report.applied and report.created == 3
    assert Organization.objects.count() == 0


def test_validation_does_not_query_per_row(reference, tmp_path, admin_user, django_assert_max_num_queries):
    rows = [["external_id", "name_fa", "kind", "sectors", "region"]]
    rows += [[f"E-{i}", f"شرکت {i}", "sme", "C;10", "IR-108"] for i in range(400)]
    path = write_file(tmp_path, "many.csv", rows)
    with django_assert_max_num_queries(40):  # per batch, not per row
        report = run(Organization, path, user=admin_user)
    assert report.created == 400
    with django_assert_max_num_queries(40):
        assert run(Organization, path, user=admin_user).unchanged == 400


# -- audit trail ----------------------------------------------------------------------------------------
def test_import_writes_the_audit_trail(reference, tmp_path, admin_user, client):
    run(Organization, write_file(tmp_path, "orgs.csv", good_org_rows()), user=admin_user)
    org = Organization.objects.get(national_id=NID_A)
    content_type = ContentType.objects.get_for_model(Organization)
    created = LogEntry.objects.get(content_type=content_type, object_pk=str(org.pk))
    assert created.action == LogEntry.Action.CREATE and created.actor == admin_user
    assert created.additional_data["import_file"] == "orgs.csv"
    assert created.changes["sectors"] == ["None", "C;1079"]

    rows = good_org_rows()
    rows[1][13] = "https://new.example.ir"
    run(Organization, write_file(tmp_path, "fix.csv", rows), user=admin_user)
    update = LogEntry.objects.filter(content_type=content_type, object_pk=str(org.pk)).latest("pk")
    assert update.action == LogEntry.Action.UPDATE
    assert update.changes == {"website": ["https://pistachio.example.ir", "https://new.example.ir"]}
    assert update.additional_data["import_file"] == "fix.csv"

    client.force_login(admin_user)
    client.cookies["khooshe_language"] = "en"
    page = client.get(org.get_absolute_url()).content.decode()
    assert "https://new.example.ir" in page and "admin" in page


# -- relations --------------------------------------------------------------------------------------------
@pytest.fixture
def three_orgs(reference):
    return [
        Organization.objects.create(kind="large", name_fa="صنایع بزرگ", national_id=NID_A),
        Organization.objects.create(kind="sme", name_fa="تامین کننده", external_id="SUP-1"),
        Organization.objects.create(kind="university", name_fa="دانشگاه کرمان"),
    ]


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_relations_import_by_national_id_external_id_or_name(three_orgs, tmp_path, admin_user, extension):
    big, supplier, university = three_orgs
    rows = [["source", "target", "type", "strength", "start_date", "origin", "note", "external_id"],
            ["SUP-1", NID_A, "supply", "4", "1401/03/01", "survey", "", ""],
            ["دانشگاه کرمان", "SUP-1", "tech_transfer", "", "", "", "", "R-2"],
            [NID_A, "دانشگاه كرمان", "Partnership", "5", "", "", "یادداشت", ""]]
    report = run(Relation, write_file(tmp_path, f"rel.{extension}", rows), user=admin_user)
    assert report.applied and report.created == 3, report.errors
    supply = Relation.objects.get(type="supply")
    assert (supply.source, supply.target, supply.strength) == (supplier, big, 4)
    assert supply.classification == "vertical" and supply.start_date == dt.date(2022, 5, 22)
    assert Relation.objects.get(external_id="R-2").strength == 3  # empty strength: the default

    rows[3][:2] = rows[3][1::-1]  # a partnership has no direction: swapped, it is the same relation
    again = run(Relation, write_file(tmp_path, f"again.{extension}", rows), user=admin_user)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3) and Relation.objects.count() == 3

    exported = tmp_path / f"export.{extension}"
    write_table(exported, spec(Relation).export_rows(Relation.objects.all()))
    round_trip = run(Relation, exported, user=admin_user)
    assert (round_trip.created, round_trip.updated, round_trip.unchanged) == (0, 0, 3)


def test_bad_relations_write_nothing(three_orgs, tmp_path, admin_user):
    rows = [["source", "target", "type", "strength"],
            ["SUP-1", NID_A, "supply", "3"],  # good
            ["SUP-1", "NO-SUCH-ORG", "supply", "3"],  # unknown organization
            ["SUP-1", "SUP-1", "customer", "3"],  # with itself
            [NID_A, "SUP-1", "customer", "7"],  # strength out of range
            ["SUP-1", NID_A, "supply", "2"]]  # duplicate of row 2
    report = run(Relation, write_file(tmp_path, "rel.csv", rows), user=admin_user)
    assert Relation.objects.count() == 0 and not report.applied
    cells = error_cells(report)
    assert (3, "target", "NO-SUCH-ORG") in cells
    assert (4, "target", "SUP-1") in cells
    assert (5, "strength", "7") in cells
    assert (6, "type", "supply") in cells
    text = " ".join(p.message for p in report.errors)
    assert "import the organization first" in text and "two different organizations" in text
    assert "from 1 to 5" in text and "row 2" in text


# -- people -------------------------------------------------------------------------------------------------
def test_people_with_roles(three_orgs, tmp_path, admin_user):
    header = ["external_id", "first_name_fa", "last_name_fa", "kind", "email", "region", "organization", "role",
              "title"]
    rows = [header,
            ["P-1", "مریم", "احمدی", "manager", "m@example.ir", "IR-108", NID_A, "ceo", "مدیرعامل"],
            ["P-1", "مریم", "احمدی", "manager", "m@example.ir", "IR-108", "SUP-1", "board", ""],
            ["P-2", "علی", "رضایی", "Mentor", "", "", "", "", ""]]
    report = run(Person, write_file(tmp_path, "people.xlsx", rows), user=admin_user)
    assert report.applied and report.created == 2 and report.details["roles_created"] == 2, report.errors
    maryam = Person.objects.get(external_id="P-1")
    assert {(r.organization.name_fa, r.role) for r in maryam.roles.all()} == {("صنایع بزرگ", "ceo"),
                                                                            ("تامین کننده", "board")}

    exported = tmp_path / "people.csv"
    write_table(exported, spec(Person).export_rows(Person.objects.all()))
    again = run(Person, exported, user=admin_user)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2) and again.details["roles_created"] == 0
    assert PersonRole.objects.count() == 2 and Person.objects.count() == 2


def test_people_rows_of_one_person_must_agree(three_orgs, tmp_path, admin_user):
    rows = [["external_id", "first_name_fa", "last_name_fa", "email", "organization", "role"],
            ["P-1", "مریم", "احمدی", "m@example.ir", NID_A, "ceo"],
            ["P-1", "مریم", "احمدی", "other@example.ir", "SUP-1", "board"],
            ["P-2", "علی", "رضایی", "", "NOBODY", "ceo"],
            ["P-3", "سارا", "کریمی", "", "SUP-1", ""]]
    report = run(Person, write_file(tmp_path, "people.csv", rows), user=admin_user)
    assert Person.objects.count() == 0
    cells = {(p.row, p.column) for p in report.errors}
    assert {(3, "email"), (4, "organization"), (5, "role")} <= cells


# -- translations ---------------------------------------------------------------------------------------
def test_report_messages_go_through_gettext(reference, tmp_path, admin_user, monkeypatch):
    from khooshe.core import tabular as core_tabular
    from khooshe.registry import validators

    for module in (core_tabular, registry_tabular, validators):
        monkeypatch.setattr(module, "_", lambda text: "«" + text + "»")
    path = write_file(tmp_path, "bad.csv", [["national_id", "name_fa", "kind", "colour"], ["123", "x", "sme", ""]])
    report = run(Organization, path, user=admin_user)
    assert report.errors and all(p.message.startswith("«") for p in report.errors)


def test_report_is_in_the_users_language(reference, tmp_path, admin_user):
    path = write_file(tmp_path, "bad.csv", [["name_fa", "kind", "founding_year"], ["x", "sme", "abc"]])
    messages = {}
    for language in ("en", "fa"):
        with translation.override(language):
            report = run(Organization, path, user=admin_user)
            assert report.errors[0].message == gettext("“%(value)s” is not a whole number.") % {"value": "abc"}
            messages[language] = report.errors[0].message
    assert messages["en"] == "“abc” is not a whole number."
    assert messages["fa"] != messages["en"] and "abc" in messages["fa"]  # the Persian catalogue has it
    assert any("\u0600" <= char <= "\u06ff" for char in messages["fa"])


# -- web UI ---------------------------------------------------------------------------------------------
def test_import_page_flow_upload_report_confirm(reference, tmp_path, admin_user, client):
    client.force_login(admin_user)
    list_page = client.get(reverse("registry:organization_list")).content.decode()
    url = reverse("registry:organization_import")
    assert url in list_page

    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("orgs.csv", write_file(tmp_path, "orgs.csv", good_org_rows()).read_bytes())
    client.cookies["khooshe_language"] = "en"
    checked = client.post(url, {"action": "check", "file": upload})
    assert checked.status_code == 200
    assert Organization.objects.count() == 0  # checked, nothing written yet
    run_ = ImportRun.objects.get()
    assert run_.status == ImportRun.Status.CHECKED and f'name="run" value="{run_.pk}"' in checked.content.decode()

    applied = client.post(url, {"action": "apply", "run": run_.pk})
    assert applied.status_code == 302 and applied["Location"] == reverse("registry:organization_list")
    assert Organization.objects.count() == 3
    run_.refresh_from_db()
    assert run_.status == ImportRun.Status.APPLIED and run_.created == 3 and not run_.file
    assert LogEntry.objects.filter(actor=admin_user, action=LogEntry.Action.CREATE).count() == 3
    # Applying the same run twice does nothing.
    assert client.post(url, {"action": "apply", "run": run_.pk}).status_code == 302
    assert Organization.objects.count() == 3


def test_import_page_shows_every_problem_of_a_bad_file(reference, tmp_path, admin_user, client):
    client.force_login(admin_user)
    rows = [["national_id", "name_fa", "kind", "sectors"], ["12345", "الف", "sme", ""], [NID_A, "ب", "sme", "ZZ"]]
    upload = SimpleUploadedFile("bad.xlsx", write_file(tmp_path, "bad.xlsx", rows).read_bytes())
    response = client.post(reverse("registry:organization_import"), {"action": "check", "file": upload})
    page = response.content.decode()
    assert response.status_code == 400 and Organization.objects.count() == 0
    assert "12345" in page and "ZZ" in page and 'value="apply"' not in page
    run_ = ImportRun.objects.get()
    report_csv = client.get(reverse("registry:organization_import"), {"report": run_.pk}).content.decode("utf-8-sig")
    assert "12345" in report_csv and "ZZ" in report_csv


def test_import_page_refuses_a_wrong_file_type(reference, admin_user, client):
    client.force_login(admin_user)
    upload = SimpleUploadedFile("orgs.pdf", b"%PDF-1.4")
    response = client.post(reverse("registry:organization_import"), {"action": "check", "file": upload})
    assert response.status_code == 400 and ".xlsx" in response.content.decode()


def test_templates_and_export_are_the_import_format(reference, tmp_path, admin_user, client):
    client.force_login(admin_user)
    template = client.get(reverse("registry:organization_import"), {"template": "xlsx"})
    sheet = load_workbook(filename=_save(tmp_path, template.content), read_only=True).worksheets[0]
    assert list(next(sheet.iter_rows(values_only=True))) == spec(Organization).headers


def _save(tmp_path, content: bytes):
    path = tmp_path / "download.xlsx"
    path.write_bytes(content)
    return path


# -- permissions ------------------------------------------------------------------------------------------
def test_plain_user_may_not_import(reference, tmp_path, django_user_model, client):
    user = django_user_model.objects.create_user("plain", password="plain-pass-123")
    client.force_login(user)
    assert client.get(reverse("registry:organization_import")).status_code == 403
    upload = SimpleUploadedFile("orgs.csv", write_file(tmp_path, "orgs.csv", good_org_rows()).read_bytes())
    assert client.post(reverse("registry:organization_import"), {"file": upload}).status_code == 403
    with pytest.raises(PermissionDenied):
        run(Organization, tmp_path / "orgs.csv", user=user)
    assert Organization.objects.count() == 0
    client.logout()
    assert client.get(reverse("registry:organization_import")).status_code == 302  # to the login page


def test_cluster_staff_may_only_update_their_members(reference, tmp_path, django_user_model):
    mine = Organization.objects.create(kind="sme", name_fa="عضو خوشه", national_id=NID_A)
    other = Organization.objects.create(kind="sme", name_fa="بیرون از خوشه", national_id=NID_B)
    cluster = Cluster.objects.create(name_fa="خوشه پسته", type="resource", stage="formed", tech_level="low")
    ClusterMembership.objects.create(cluster=cluster, organization=mine)
    staff = django_user_model.objects.create_user("staff", password="staff-pass-123")
    Role.objects.create(user=staff, kind="cluster_staff", cluster=cluster)
    rows = [["national_id", "name_fa", "kind", "website"],
            [NID_A, "عضو خوشه", "sme", "https://mine.example.ir"],
            [NID_B, "بیرون از خوشه", "sme", "https://other.example.ir"],
            [NID_C, "تازه", "startup", ""]]
    report = run(Organization, write_file(tmp_path, "orgs.csv", rows), user=staff)
    assert [(p.row, p.column) for p in report.errors] == [(3, "national_id")]
    assert "بیرون از خوشه" in report.errors[0].message
    assert not report.applied and Organization.objects.count() == 2
    other.refresh_from_db()
    assert other.website == ""

    del rows[2]
    report = run(Organization, write_file(tmp_path, "mine.csv", rows), user=staff)
    assert report.applied and (report.created, report.updated) == (1, 1)


# -- command line ------------------------------------------------------------------------------------------
@pytest.fixture
def cli():
    from khooshe.cli import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def test_cli_import_dry_run_export_and_errors(reference, tmp_path, cli):
    path = write_file(tmp_path, "orgs.xlsx", good_org_rows())

    dry = cli("import", "organizations", path, "--dry-run", "--language", "en")
    assert dry.exit_code == 0 and "Dry run" in dry.stdout and Organization.objects.count() == 0

    done = cli("import", "organizations", path, "--language", "en")
    assert done.exit_code == 0, done.output
    assert "3 created" in done.stdout and Organization.objects.count() == 3
    entry = LogEntry.objects.filter(action=LogEntry.Action.CREATE).first()
    assert entry.actor is None and entry.additional_data["source"] == "cli"

    exported = tmp_path / "all.csv"
    result = cli("export", "organizations", exported)
    assert result.exit_code == 0 and exported.exists()
    again = cli("import", "organizations", exported, "--language", "en")
    assert again.exit_code == 0 and "0 created, 0 updated, 3 unchanged" in again.stdout

    bad = write_file(tmp_path, "bad.csv", [["name_fa", "kind", "national_id"], ["x", "sme", "999"]])
    failed = cli("import", "organizations", bad, "--language", "en")
    assert failed.exit_code == 1 and "Row 2, national_id “999”: “999” is not a national ID" in failed.stdout
    assert Organization.objects.count() == 3
    persian = cli("import", "organizations", bad, "--language", "fa")
    assert persian.exit_code == 1 and "999" in persian.stdout and "is not a national ID" not in persian.stdout

    assert cli("import", "spaceships", path).exit_code == 2
    assert cli("export", "organizations", tmp_path / "out.pdf").exit_code == 2


def test_persian_labels_and_excel_csv_variants(reference, tmp_path, admin_user):
    """Semicolon-separated UTF-8 with BOM (Excel in some locales), Persian choice labels and digits."""
    with translation.override("fa"):
        startup_fa = str(Organization._meta.get_field("kind").flatchoices[0][1])  # the Persian label
    assert startup_fa != "Startup"
    path = tmp_path / "excel.csv"
    path.write_text("name_fa;kind;founding_year;certification;certified_from\r\n"
                    f"شرکت نو;{startup_fa};۲۰۲۰;knowledge_based;۱۴۰۳/۰۵/۱۲\r\n", encoding="utf-8-sig")
    report = run(Organization, path, user=admin_user)
    assert report.applied, report.errors
    org = Organization.objects.get()
    assert (org.kind, org.founding_year, org.certified_from) == ("startup", 2020, dt.date(2024, 8, 2))


def test_windows_arabic_code_page_csv_is_read(reference, tmp_path, admin_user):
    path = tmp_path / "cp1256.csv"
    path.write_bytes("name_fa,kind\r\nشرکت کرمان,sme\r\n".encode("cp1256"))
    assert run(Organization, path, user=admin_user).applied
    assert Organization.objects.get().name_fa == "شرکت کرمان"


def test_bad_numbers_and_dates_say_what_to_write(reference, tmp_path, admin_user):
    rows = [["name_fa", "kind", "founding_year", "certification", "certified_from", "latitude", "region"],
            ["الف", "sme", "1398", "knowledge_based", "1403/13/40", "north", "Atlantis"]]
    report = run(Organization, write_file(tmp_path, "bad.xlsx", rows), user=admin_user)
    by_column = {p.column: p.message for p in report.errors}
    assert "for 1398 write 2019" in by_column["founding_year"]
    assert "1403/05/12" in by_column["certified_from"]
    assert "not a number" in by_column["latitude"]
    assert "IR-108" in by_column["region"]
    assert Organization.objects.count() == 0
