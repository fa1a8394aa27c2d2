"""Who may read and change what, through the web UI and the API (registry.access):

- platform admin (superuser): everything;
- staff of a cluster: the cluster and what belongs to it (member organizations, their people, their
  relations), not other organizations or clusters;
- member of an organization: that organization and its people only;
- staff of a hub: the hub organization;
- everyone, anonymous included: public records only (private ones are 404 and absent from lists,
  exports and the API).
"""

from __future__ import annotations

import pytest
from django.test import Client
from factories import (
    make_cluster,
    make_membership,
    make_org,
    make_person,
    make_person_role,
    make_relation,
    make_role,
    make_user,
)
from mixins import csv_rows, form_values, row_pks
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from khooshe.registry import models as m

pytestmark = pytest.mark.django_db


# -- helpers: one edit through the UI and one through the API ------------------------------------------
def ui_client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def ui_edit(user, obj, **changes) -> int:
    """Open the edit form of ``obj`` as ``user`` and save it with ``changes``; the final status code."""
    client = ui_client(user)
    edit_url = obj.get_absolute_url() + "edit/"
    response = client.get(edit_url)
    if response.status_code != 200:
        return response.status_code
    return client.post(edit_url, {**form_values(response.context["form"]), **changes}).status_code


def api_url(obj) -> str:
    return f"/api/registry/{_slug(obj)}/{obj.pk}/"


def _slug(obj) -> str:
    from khooshe.core.generic import get_config

    return get_config(type(obj)).url_slug


def api_patch(user, obj, **changes) -> int:
    return api_client(user).patch(api_url(obj), changes, format="json").status_code


def can_edit_both_ways(user, obj, field: str, value) -> None:
    assert ui_edit(user, obj, **{field: value}) == 302, f"UI edit of {obj!r}"
    obj.refresh_from_db()
    assert str(getattr(obj, field)) == str(value)
    assert api_patch(user, obj, **{field: f"{value} (API)"}) == 200, f"API edit of {obj!r}"
    obj.refresh_from_db()
    assert str(getattr(obj, field)) == f"{value} (API)"


def cannot_edit_either_way(user, obj, field: str, value) -> None:
    before = str(getattr(obj, field))
    assert ui_edit(user, obj, **{field: value}) in (403, 404), f"UI edit of {obj!r}"
    assert api_patch(user, obj, **{field: value}) in (403, 404), f"API edit of {obj!r}"
    assert ui_client(user).post(obj.get_absolute_url() + "delete/").status_code in (403, 404)
    assert api_client(user).delete(api_url(obj)).status_code in (403, 404)
    obj.refresh_from_db()
    assert str(getattr(obj, field)) == before


# -- a small ecosystem -----------------------------------------------------------------------------------
@pytest.fixture
def world():
    cluster, other_cluster = make_cluster(name_fa="خوشه پسته"), make_cluster(name_fa="خوشه فرش")
    member_org = make_org(name_fa="شرکت عضو خوشه")
    private_member = make_org(name_fa="شرکت خصوصی عضو", visibility="private")
    outsider = make_org(name_fa="شرکت بیرونی")
    private_outsider = make_org(name_fa="شرکت خصوصی بیرونی", visibility="private")
    hub = make_org(name_fa="کارخانه نوآوری", kind="innovation_factory")
    for org in (member_org, private_member):
        make_membership(cluster=cluster, organization=org)
    make_membership(cluster=other_cluster, organization=outsider)
    member_person = make_person(last_name_fa="کارمند عضو")
    make_person_role(person=member_person, organization=member_org)
    outsider_person = make_person(last_name_fa="کارمند بیرونی")
    make_person_role(person=outsider_person, organization=outsider)
    return {
        "cluster": cluster, "other_cluster": other_cluster, "member_org": member_org,
        "private_member": private_member, "outsider": outsider, "private_outsider": private_outsider,
        "hub": hub, "member_person": member_person, "outsider_person": outsider_person,
        "member_relation": make_relation(source=member_org, target=outsider),
        "outside_relation": make_relation(source=outsider, target=hub),
    }


def staff_of(cluster):
    return make_role(kind="cluster_staff", cluster=cluster).user


def member_of(org):
    return make_role(kind="member", organization=org).user


# -- platform admin ------------------------------------------------------------------------------------
def test_platform_admin_edits_everything(world):
    admin = make_user(superuser=True)
    for key in ("member_org", "private_outsider", "hub"):
        can_edit_both_ways(admin, world[key], "name_en", f"Edited {key}")
    can_edit_both_ways(admin, world["other_cluster"], "name_en", "Edited cluster")
    can_edit_both_ways(admin, world["outsider_person"], "full_name_en", "Edited person")
    can_edit_both_ways(admin, world["outside_relation"], "note", "Edited relation")
    role = make_role()
    assert api_patch(admin, role, kind="member") == 200
    assert ui_client(admin).get("/registry/roles/add/").status_code == 200


# -- staff of a cluster ---------------------------------------------------------------------------------
def test_cluster_staff_edits_the_cluster_and_what_belongs_to_it(world):
    staff = staff_of(world["cluster"])
    can_edit_both_ways(staff, world["cluster"], "name_en", "Pistachio cluster")
    can_edit_both_ways(staff, world["member_org"], "name_en", "Member company")
    can_edit_both_ways(staff, world["private_member"], "name_en", "Private member")
    can_edit_both_ways(staff, world["member_person"], "full_name_en", "Member employee")
    can_edit_both_ways(staff, world["member_relation"], "note", "Supply contract")


def test_cluster_staff_cannot_edit_other_organizations_or_clusters(world):
    staff = staff_of(world["cluster"])
    cannot_edit_either_way(staff, world["outsider"], "name_en", "Hijacked")
    cannot_edit_either_way(staff, world["hub"], "name_en", "Hijacked")
    cannot_edit_either_way(staff, world["other_cluster"], "name_en", "Hijacked")
    cannot_edit_either_way(staff, world["outsider_person"], "full_name_en", "Hijacked")
    cannot_edit_either_way(staff, world["outside_relation"], "note", "Hijacked")
    # A private organization outside the cluster does not exist for them.
    assert ui_client(staff).get(world["private_outsider"].get_absolute_url()).status_code == 404
    assert api_client(staff).get(api_url(world["private_outsider"])).status_code == 404


def test_cluster_staff_adds_members_to_their_cluster_only(world):
    staff = staff_of(world["cluster"])
    newcomer = make_org(name_fa="تازه‌وارد")
    client = api_client(staff)
    response = client.post("/api/registry/cluster-memberships/",
                           {"cluster": world["cluster"].pk, "organization": newcomer.pk}, format="json")
    assert response.status_code == 201
    response = client.post("/api/registry/cluster-memberships/",
                           {"cluster": world["other_cluster"].pk, "organization": newcomer.pk}, format="json")
    assert response.status_code == 403
    assert not m.ClusterMembership.objects.filter(cluster=world["other_cluster"], organization=newcomer).exists()
    # The same through the form: refused with a message, nothing saved.
    response = ui_client(staff).post("/registry/cluster-memberships/add/",
                                     {"cluster": world["other_cluster"].pk, "organization": newcomer.pk,
                                      "role": "core"})
    assert response.status_code in (400, 403)
    assert not m.ClusterMembership.objects.filter(cluster=world["other_cluster"], organization=newcomer).exists()


def test_cluster_staff_registers_organizations(world):
    staff = staff_of(world["cluster"])
    client = ui_client(staff)
    assert client.get("/registry/organizations/add/").status_code == 200
    response = client.post("/registry/organizations/add/",
                           {"kind": "sme", "name_fa": "شرکت ثبت‌شده به دست کارشناس", "visibility": "public"})
    assert response.status_code == 302
    assert m.Organization.objects.filter(name_fa="شرکت ثبت‌شده به دست کارشناس").exists()


def test_cluster_staff_sees_private_members_in_list_and_api(world):
    staff = staff_of(world["cluster"])
    shown = row_pks(ui_client(staff).get("/registry/organizations/", {"per_page": 250}).content.decode())
    assert world["private_member"].pk in shown and world["private_outsider"].pk not in shown
    ids = {r["id"] for r in api_client(staff).get("/api/registry/organizations/?page_size=1000").json()["results"]}
    assert world["private_member"].pk in ids and world["private_outsider"].pk not in ids


# -- member of an organization -----------------------------------------------------------------------
def test_member_edits_own_organization_and_its_people(world):
    user = member_of(world["member_org"])
    can_edit_both_ways(user, world["member_org"], "name_en", "Our company")
    can_edit_both_ways(user, world["member_person"], "full_name_en", "Our employee")


def test_member_cannot_edit_anything_else(world):
    user = member_of(world["member_org"])
    cannot_edit_either_way(user, world["outsider"], "name_en", "Hijacked")
    cannot_edit_either_way(user, world["private_member"], "name_en", "Hijacked")  # same cluster, other firm
    cannot_edit_either_way(user, world["cluster"], "name_en", "Hijacked")
    cannot_edit_either_way(user, world["outsider_person"], "full_name_en", "Hijacked")
    # Registering organizations is for cluster and hub staff; roles are for admins.
    assert ui_client(user).get("/registry/organizations/add/").status_code == 403
    assert api_client(user).post("/api/registry/organizations/", {"kind": "sme", "name_fa": "x"},
                                 format="json").status_code == 403
    assert api_client(user).post("/api/registry/roles/", {"user": user.pk, "kind": "member",
                                                          "organization": world["outsider"].pk},
                                 format="json").status_code == 403
    assert not m.Role.objects.filter(user=user, organization=world["outsider"]).exists()


def test_detail_page_offers_edit_only_to_who_may_edit(world):
    org = world["member_org"]
    edit_link = f'href="{org.get_absolute_url()}edit/"'
    assert edit_link in ui_client(member_of(org)).get(org.get_absolute_url()).content.decode()
    assert edit_link not in ui_client(member_of(world["outsider"])).get(org.get_absolute_url()).content.decode()
    assert edit_link not in ui_client(None).get(org.get_absolute_url()).content.decode()


def test_member_sees_own_private_organization(world):
    user = member_of(world["private_outsider"])
    assert ui_client(user).get(world["private_outsider"].get_absolute_url()).status_code == 200
    assert api_client(user).get(api_url(world["private_outsider"])).status_code == 200
    assert ui_client(user).get(world["private_member"].get_absolute_url()).status_code == 404


# -- staff of a hub -----------------------------------------------------------------------------------
def test_hub_staff_edits_the_hub_only(world):
    user = make_role(kind="hub_staff", organization=world["hub"]).user
    can_edit_both_ways(user, world["hub"], "name_en", "Kerman innovation factory")
    cannot_edit_either_way(user, world["member_org"], "name_en", "Hijacked")
    cannot_edit_either_way(user, world["cluster"], "name_en", "Hijacked")


# -- the public --------------------------------------------------------------------------------------
def test_anonymous_reads_public_records_only(world):
    client = ui_client(None)
    for key in ("private_member", "private_outsider"):
        org = world[key]
        assert client.get(org.get_absolute_url()).status_code == 404
        assert APIClient().get(api_url(org)).status_code == 404
    shown = row_pks(client.get("/registry/organizations/", {"per_page": 250}).content.decode())
    assert world["member_org"].pk in shown
    assert world["private_member"].pk not in shown and world["private_outsider"].pk not in shown
    ids = {r["id"] for r in APIClient().get("/api/registry/organizations/?page_size=1000").json()["results"]}
    assert world["member_org"].pk in ids and world["private_outsider"].pk not in ids
    names = {cell for row in csv_rows(client.get("/registry/organizations/export/", {"format": "csv"}))
             for cell in row}
    assert "شرکت عضو خوشه" in names and "شرکت خصوصی بیرونی" not in names
    # A private organization's people and relations do not leak through other lists.
    person = make_person(last_name_fa="کارمند پنهان", visibility="private")
    make_person_role(person=person, organization=world["private_outsider"])
    assert client.get(person.get_absolute_url()).status_code == 404
    hidden_relation = make_relation(source=world["private_outsider"], target=world["member_org"])
    assert APIClient().get(api_url(hidden_relation)).status_code == 404


def test_anonymous_cannot_write(world):
    org = world["member_org"]
    client = ui_client(None)
    for url in (org.get_absolute_url() + "edit/", org.get_absolute_url() + "delete/", "/registry/organizations/add/"):
        response = client.post(url, {"name_fa": "x"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert APIClient().patch(api_url(org), {"name_en": "x"}, format="json").status_code in (401, 403)
    assert APIClient().delete(api_url(org)).status_code in (401, 403)
    org.refresh_from_db()
    assert org.name_en != "x"


def test_bulk_delete_of_a_mixed_selection_deletes_nothing(world):
    user = member_of(world["member_org"])
    pks = [world["member_org"].pk, world["outsider"].pk]
    ui_client(user).post("/registry/organizations/bulk/", {"action": "delete", "confirm": "yes", "pk": pks})
    assert m.Organization.objects.filter(pk__in=pks).count() == 2
