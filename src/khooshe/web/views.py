from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render

from khooshe.registry.models import Cluster, Organization, OrganizationKind, Person, Relation


def home(request):
    """The dashboard: the size of the ecosystem the user can see, by kind, and its clusters."""
    user = request.user
    organizations = Organization.objects.visible_to(user)
    context = {
        "organization_count": organizations.count(),
        "person_count": Person.objects.visible_to(user).count(),
        "relation_count": Relation.objects.visible_to(user).count(),
        "clusters": Cluster.objects.visible_to(user).annotate(n=Count("memberships")).order_by("-n")[:12],
        "by_kind": [
            {"kind": row["kind"], "label": OrganizationKind(row["kind"]).label, "n": row["n"]}
            for row in organizations.values("kind").annotate(n=Count("pk")).order_by("-n")
        ],
    }
    return render(request, "web/home.html", context)


def hello(request):
    """The "hello world" baseline of the benchmarks: the cheapest Django response."""
    return HttpResponse("hello", content_type="text/plain")
