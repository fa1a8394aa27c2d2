"""The service catalogue: who may request, the status workflow with assignment, messages and internal
notes, the rating rules (only the requester, only once, only when done), the staff queue, the API and
the figures for dashboards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone, translation
from factories import make_org, make_user
from hubs_events_factories import make_service, member_of, resident_of, staff_of_site
from hubs_factories import make_site
from rest_framework.test import APIClient

from khooshe.hubs import models as hm
from khooshe.hubs.catalogue import selectors, services

pytestmark = pytest.mark.django_db
Status = hm.ServiceRequest.Status


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def done_request(service=None):
    service = service or make_service()
    requester = resident_of(service.site)
    staff = staff_of_site(service.site)
    req = services.request_service(user=requester, service=service, description="A contract review")
    services.assign(user=staff, request=req, to_user=staff)
    services.set_status(user=staff, request=req, status=Status.IN_PROGRESS)
    services.set_status(user=staff, request=req, status=Status.DONE)
    req.refresh_from_db()
    return req, requester, staff


def test_who_may_request_follows_the_audience():
    site = make_site()
    linked_hub = make_org(kind="innovation_factory")
    site.linked_hubs.add(linked_hub)
    resident, linked, member, nobody = resident_of(site), member_of(linked_hub), member_of(make_org()), make_user()
    residents = make_service(site=site, audience=hm.ServiceAudience.RESIDENTS)
    linked_only = make_service(site=site, audience=hm.ServiceAudience.LINKED)
    members = make_service(site=site, audience=hm.ServiceAudience.MEMBERS)
    allowed = {(u, s) for u in (resident, linked, member, nobody) for s in (residents, linked_only, members)
               if selectors.may_request(u, s)}
    assert allowed == {(resident, residents), (resident, linked_only), (resident, members),
                       (linked, linked_only), (linked, members), (member, members)}
    with translation.override("en"), pytest.raises(services.ServiceError) as exc:
        services.request_service(user=member, service=residents, description="x")
    assert exc.value.field == "service" and "Residents of this site" in exc.value.message
    inactive = make_service(site=site, audience=hm.ServiceAudience.MEMBERS, active=False)
    with pytest.raises(services.ServiceError):
        services.request_service(user=member, service=inactive, description="x")


def test_the_workflow_moves_forward_only_and_only_staff_move_it():
    service = make_service()
    requester = resident_of(service.site)
    staff = staff_of_site(service.site)
    req = services.request_service(user=requester, service=service, description="Register a trademark")
    assert req.status == Status.SUBMITTED
    with pytest.raises(PermissionDenied):
        services.set_status(user=requester, request=req, status=Status.DONE)
    with pytest.raises(PermissionDenied):
        services.assign(user=staff_of_site(make_site()), request=req, to_user=staff)
    with translation.override("en"), pytest.raises(services.ServiceError) as exc:
        services.assign(user=staff, request=req, to_user=requester)
    assert exc.value.field == "assigned_to" and "not staff" in exc.value.message
    provider = make_org()
    req = services.assign(user=staff, request=req, provider=provider)
    assert req.status == Status.ASSIGNED and req.assigned_provider == provider
    req = services.set_status(user=staff, request=req, status=Status.IN_PROGRESS, note="Started")
    assert req.messages.get().text == "Started"
    with translation.override("en"), pytest.raises(services.ServiceError) as exc:
        services.set_status(user=staff, request=req, status=Status.SUBMITTED)
    assert "cannot become Submitted" in exc.value.message
    req = services.set_status(user=staff, request=req, status=Status.DONE)
    assert req.closed_at is not None
    with pytest.raises(services.ServiceError):
        services.set_status(user=staff, request=req, status=Status.DECLINED)
    # a member of the assigned provider sees the request
    assert req in hm.ServiceRequest.objects.visible_to(member_of(provider))
    assert req not in hm.ServiceRequest.objects.visible_to(make_user())


def test_rating_only_by_the_requester_only_once_only_when_done():
    req, requester, staff = done_request()
    with pytest.raises(PermissionDenied):
        services.rate(user=staff, request=req, rating=5)
    with translation.override("en"), pytest.raises(services.ServiceError) as exc:
        services.rate(user=requester, request=req, rating=6)
    assert exc.value.field == "rating" and "1 to 5" in exc.value.message
    services.rate(user=requester, request=req, rating=4, comment="Helpful")
    with translation.override("en"), pytest.raises(services.ServiceError) as exc:
        services.rate(user=requester, request=req, rating=5)
    assert "already rated" in exc.value.message
    req.refresh_from_db()
    assert (req.rating, req.rating_comment) == (4, "Helpful")
    open_req = services.request_service(user=requester, service=req.service, description="More")
    with translation.override("en"), pytest.raises(services.ServiceError) as exc:
        services.rate(user=requester, request=open_req, rating=3)
    assert "once it is done" in exc.value.message


def test_request_pages_messages_internal_notes_and_rating(client):
    service = make_service(name="Legal clinic")
    requester = english(resident_of(service.site))
    staff = english(staff_of_site(service.site))
    client.force_login(requester)
    response = client.post(f"/hubs/services/{service.pk}/request/", {"description": "Review our NDA"})
    req = hm.ServiceRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == req.get_absolute_url()
    client.post(f"/hubs/service-requests/{req.pk}/message/", {"text": "Any news?"})
    staff_client = Client()
    staff_client.force_login(staff)
    queue = staff_client.get("/hubs/service-queue/").content.decode()
    assert "Legal clinic" in queue and f'data-request="{req.pk}"' in queue
    staff_client.post(f"/hubs/service-requests/{req.pk}/message/", {"text": "Secret note", "internal": "on"})
    staff_client.post(f"/hubs/service-requests/{req.pk}/assign/", {"assigned_to": staff.pk})
    staff_client.post(f"/hubs/service-requests/{req.pk}/status/", {"status": "done", "note": "Sent the review"})
    req.refresh_from_db()
    assert req.status == Status.DONE and req.assigned_to == staff
    assert "Secret note" in staff_client.get(req.get_absolute_url()).content.decode()
    page = client.get(req.get_absolute_url()).content.decode()
    assert "Any news?" in page and "Sent the review" in page and "Secret note" not in page
    assert 'id="rating-form"' in page
    client.post(f"/hubs/service-requests/{req.pk}/rate/", {"rating": "5", "comment": "Great"})
    req.refresh_from_db()
    assert req.rating == 5
    assert 'id="rating-form"' not in client.get(req.get_absolute_url()).content.decode()
    # a request no longer open leaves the queue; an outsider cannot see it
    assert f'data-request="{req.pk}"' not in staff_client.get("/hubs/service-queue/").content.decode()
    outsider = Client()
    outsider.force_login(make_user())
    assert outsider.get(req.get_absolute_url()).status_code == 404
    assert outsider.post(f"/hubs/service-requests/{req.pk}/message/", {"text": "hi"}).status_code == 404


def test_request_page_refuses_a_member_outside_the_audience(client):
    service = make_service(audience=hm.ServiceAudience.RESIDENTS)
    client.force_login(english(member_of(make_org())))
    page = client.get(f"/hubs/services/{service.pk}/request/").content.decode()
    assert 'id="request-refused"' in page
    response = client.post(f"/hubs/services/{service.pk}/request/", {"description": "x"})
    assert response.status_code == 400 and not hm.ServiceRequest.objects.exists()


def test_catalogue_is_public_and_services_are_edited_by_their_staff():
    service = make_service(name="IP desk")
    assert "IP desk" in Client().get("/hubs/services/").content.decode()
    assert service.is_editable_by(staff_of_site(service.site))
    assert not service.is_editable_by(staff_of_site(make_site()))
    assert not service.is_editable_by(make_user())


def test_api_request_assign_status_message_rate():
    service = make_service(audience=hm.ServiceAudience.MEMBERS)
    member = member_of(make_org())
    staff = staff_of_site(service.site)
    api = APIClient()
    api.force_authenticate(member)
    created = api.post(f"/api/hubs/services/{service.pk}/request/", {"description": "Tax filing"}, format="json")
    assert created.status_code == 201 and created.json()["status"] == "submitted"
    pk = created.json()["id"]
    empty = api.post(f"/api/hubs/services/{service.pk}/request/", {"description": " "}, format="json")
    assert empty.status_code == 400 and "description" in empty.json()
    assert api.post(f"/api/hubs/service-requests/{pk}/status/", {"status": "done"}, format="json").status_code == 403
    staff_api = APIClient()
    staff_api.force_authenticate(staff)
    assert staff_api.post(f"/api/hubs/service-requests/{pk}/assign/", {"assigned_to": staff.pk},
                          format="json").json()["status"] == "assigned"
    bad = staff_api.post(f"/api/hubs/service-requests/{pk}/status/", {"status": "submitted"}, format="json")
    assert bad.status_code == 400 and "status" in bad.json()
    assert staff_api.post(f"/api/hubs/service-requests/{pk}/status/", {"status": "done"},
                          format="json").json()["status"] == "done"
    assert api.post(f"/api/hubs/service-requests/{pk}/messages/", {"text": "Thanks"}, format="json").status_code == 201
    assert api.post(f"/api/hubs/service-requests/{pk}/rate/", {"rating": 5}, format="json").json()["rating"] == 5
    again = api.post(f"/api/hubs/service-requests/{pk}/rate/", {"rating": 4}, format="json")
    assert again.status_code == 400 and "rating" in again.json()
    stranger = APIClient()
    stranger.force_authenticate(make_user())
    assert stranger.get(f"/api/hubs/service-requests/{pk}/").status_code == 404
    assert stranger.post(f"/api/hubs/service-requests/{pk}/rate/", {"rating": 1}, format="json").status_code == 404
    assert APIClient().get(f"/api/hubs/services/{service.pk}/").status_code == 200


def test_service_figures_for_dashboards():
    site = make_site()
    legal = make_service(site=site, name="Legal advice")
    lab = make_service(site=site, name="Lab access")
    req, requester, _staff = done_request(legal)
    services.rate(user=requester, request=req, rating=4)
    services.request_service(user=requester, service=legal, description="Second")
    services.request_service(user=requester, service=lab, description="Third")
    make_service()  # another site, no requests
    today = timezone.localdate()
    with translation.override("en"):
        figures = selectors.service_figures(site_ids=[site.pk], first=today - dt.timedelta(days=1), last=today)
    assert figures["requests"] == 3
    assert figures["by_status"] == {"Submitted": 2, "Assigned": 0, "In progress": 0, "Done": 1, "Declined": 0}
    assert figures["mean_rating"] == 4.0
    assert figures["by_service"] == {"Legal advice": 2, "Lab access": 1}
    none = selectors.service_figures(site_ids=[site.pk], first=today + dt.timedelta(days=1),
                                     last=today + dt.timedelta(days=2))
    assert none["requests"] == 0 and none["mean_rating"] is None and none["by_service"] == {}
