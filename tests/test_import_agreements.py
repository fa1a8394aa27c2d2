"""Import and export of agreements: parties named like relations' organizations, keyed by external_id."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from table_files import write_file

from khooshe.core.generic import get_config
from khooshe.core.tabular import import_file, write_table
from khooshe.registry.models import Agreement, Cluster, ClusterMembership, Organization, Role
from khooshe.registry.validators import make_iranian_legal_id

pytestmark = pytest.mark.django_db

NID_A = make_iranian_legal_id("1086180287")
HEADER = ["external_id", "title", "kind", "parties", "signed_on", "start_date", "end_date", "visibility", "subject"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def orgs(db):
    return [
        Organization.objects.create(kind="large", name_fa="صنایع بزرگ", national_id=NID_A),
        Organization.objects.create(kind="sme", name_fa="تامین کننده", external_id="SUP-1"),
        Organization.objects.create(kind="university", name_fa="دانشگاه کرمان"),
    ]


def run(path, **kwargs):
    return import_file(get_config(Agreement).tabular_spec, path, **kwargs)


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_agreements_import_update_and_round_trip(orgs, tmp_path, admin_user, extension):
    big, supplier, university = orgs
    rows = [HEADER,
            ["AGR-1", "کنسرسیوم فرآوری", "consortium", f"{NID_A}; SUP-1 ؛ دانشگاه كرمان", "1402/06/01", "", "",
             "public", "فرآوری پسته"],
            ["AGR-2", "تفاهم‌نامه", "", "SUP-1;دانشگاه کرمان", "2024-01-10", "2024-02-01", "2025-02-01", "", ""]]
    report = run(write_file(tmp_path, f"agr.{extension}", rows), user=admin_user)
    assert report.applied and report.created == 2, report.errors
    consortium = Agreement.objects.get(external_id="AGR-1")
    assert set(consortium.parties.all()) == {big, supplier, university}
    assert (consortium.kind, consortium.visibility) == ("consortium", "public")
    assert consortium.signed_on == dt.date(2023, 8, 23)  # Jalali 1402/06/01
    assert "پسته" in consortium.search_text
    mou = Agreement.objects.get(external_id="AGR-2")
    assert (mou.kind, mou.visibility) == ("mou", "private")  # empty cells: the defaults
    assert set(mou.parties.all()) == {supplier, university}

    # The same file again changes nothing; a changed party list replaces the parties.
    again = run(write_file(tmp_path, f"again.{extension}", rows), user=admin_user)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2), again.errors
    rows[2][3] = f"SUP-1;{NID_A}"
    changed = run(write_file(tmp_path, f"changed.{extension}", rows), user=admin_user)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1), changed.errors
    assert set(Agreement.objects.get(external_id="AGR-2").parties.all()) == {supplier, big}
    assert Agreement.objects.count() == 2

    exported = tmp_path / f"export.{extension}"
    write_table(exported, get_config(Agreement).tabular_spec.export_rows(Agreement.objects.all()))
    round_trip = run(exported, user=admin_user)
    assert (round_trip.created, round_trip.updated, round_trip.unchanged) == (0, 0, 2), round_trip.errors


def test_bad_agreements_write_nothing_and_name_the_cell(orgs, tmp_path, admin_user):
    rows = [HEADER,
            ["AGR-1", "خوب", "mou", "SUP-1;دانشگاه کرمان", "", "", "", "", ""],
            ["AGR-2", "ناشناخته", "mou", "SUP-1;NO-SUCH-ORG", "", "", "", "", ""],
            ["AGR-3", "تنها", "mou", "SUP-1; SUP-1", "", "", "", "", ""],
            ["AGR-1", "تکراری", "mou", "SUP-1;دانشگاه کرمان", "", "", "", "", ""],
            ["AGR-5", "تاریخ", "treaty", f"SUP-1;{NID_A}", "", "2024-05-01", "2024-01-01", "", ""],
            ["AGR-6", "", "mou", "", "", "", "", "", ""]]
    report = run(write_file(tmp_path, "agr.csv", rows), user=admin_user)
    assert not report.applied and Agreement.objects.count() == 0
    cells = {(p.row, p.column) for p in report.errors}
    assert {(3, "parties"), (4, "parties"), (5, "external_id"), (6, "kind"), (6, "end_date"), (7, "title"),
            (7, "parties")} <= cells
    text = " ".join(p.message for p in report.errors)
    assert "NO-SUCH-ORG" in text and "import the organization first" in text
    assert "at least two different parties" in text and "row 2" in text and "treaty" in text


def test_keyless_rows_are_warned(orgs, tmp_path, admin_user):
    rows = [["title", "parties"], ["بدون کلید", "SUP-1;دانشگاه کرمان"]]
    report = run(write_file(tmp_path, "agr.csv", rows), user=admin_user)
    assert report.applied and report.created == 1
    assert any("create new agreements every time" in p.message for p in report.warnings)


def test_cluster_staff_import_only_agreements_of_their_members(orgs, tmp_path, django_user_model):
    big, supplier, university = orgs
    cluster = Cluster.objects.create(name_fa="خوشه پسته", type="resource", stage="formed", tech_level="low")
    ClusterMembership.objects.create(cluster=cluster, organization=supplier)
    staff = django_user_model.objects.create_user("staff", password="staff-pass-123")
    Role.objects.create(user=staff, kind="cluster_staff", cluster=cluster)
    theirs = Agreement.objects.create(title="دیگران", external_id="AGR-X")
    theirs.parties.set([big, university])
    rows = [["external_id", "title", "parties"],
            ["AGR-1", "با عضو", "SUP-1;دانشگاه کرمان"],
            ["AGR-2", "بی عضو", f"{NID_A};دانشگاه کرمان"],
            ["AGR-X", "دیگران تغییر", "SUP-1;دانشگاه کرمان"]]
    report = run(write_file(tmp_path, "agr.csv", rows), user=staff)
    assert {(p.row, p.column) for p in report.errors} == {(3, "parties"), (4, "external_id")}
    assert not report.applied and Agreement.objects.count() == 1
    theirs.refresh_from_db()
    assert theirs.title == "دیگران"

    report = run(write_file(tmp_path, "mine.csv", rows[:2]), user=staff)
    assert report.applied and report.created == 1


def test_import_page_for_agreements(orgs, tmp_path, admin_user, client):
    client.force_login(admin_user)
    client.cookies["khooshe_language"] = "en"
    url = reverse("registry:agreement_import")
    assert url in client.get(reverse("registry:agreement_list")).content.decode()
    rows = [HEADER, ["AGR-1", "کنسرسیوم", "consortium", "SUP-1;NOBODY", "", "", "", "", ""]]
    upload = SimpleUploadedFile("agr.csv", write_file(tmp_path, "agr.csv", rows).read_bytes())
    response = client.post(url, {"action": "check", "file": upload})
    assert response.status_code == 400 and "NOBODY" in response.content.decode()
    assert Agreement.objects.count() == 0
