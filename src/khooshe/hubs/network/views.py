"""Pages of the network of hubs (member houses on a map, spaces open to guests) and the dashboards of a
site and of a network, with their CSV/XLSX export. Thin: check access, call the selectors, render."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from khooshe.core import jalali
from khooshe.core.tabular import XLSX_CONTENT_TYPE
from khooshe.hubs.models import Site, SpaceKind
from khooshe.registry.selectors import _detail_url_template, kind_legend

from . import dashboards, selectors
from .forms import PeriodForm
from .models import HubNetwork


@require_GET
def network_page(request, pk):
    network = get_object_or_404(HubNetwork.objects.visible_to(request.user).select_related("coordinator"), pk=pk)
    kind = request.GET.get("kind", "")
    if kind not in SpaceKind.values:
        kind = ""
    return render(request, "hubs/network/network.html", {
        "network": network,
        "houses": selectors.network_houses(network),
        "directory": selectors.guest_directory(network, kind),
        "kind": kind,
        "kinds": SpaceKind.choices,
        "is_coordinator": network.is_coordinated_by(request.user),
    })


@require_GET
def network_map(request, pk):
    """The member houses as GeoJSON points in the format of the ecosystem map (js/khooshe-map.js); the
    popup names the house with its staff, spaces and residents."""
    network = get_object_or_404(HubNetwork.objects.visible_to(request.user), pk=pk)
    houses = selectors.network_houses(network)
    features, counts, regions, approximate = [], {}, {}, 0
    for house in houses:
        org = house.organization
        lat, lon, approx, region = org.latitude, org.longitude, False, org.region
        if region is None:
            region = next((s.region for s in house.sites if s.region_id), None)
        if lat is None or lon is None:
            approx = True
            if region is not None and region.latitude is not None:
                lat, lon = region.latitude, region.longitude
        if lat is None or lon is None:
            continue
        name = _("%(house)s: %(staff)s staff, %(spaces)s spaces, %(residents)s residents") % {
            "house": org.name, "staff": house.staff, "spaces": house.spaces, "residents": house.residents}
        properties = {"name": name, "kind": org.kind}
        if region is not None:
            properties["region"] = region.pk
            regions[region.pk] = region.name
        if approx:
            properties["approx"] = True
            approximate += 1
        counts[org.kind] = counts.get(org.kind, 0) + 1
        features.append({"type": "Feature", "id": org.pk, "geometry": {"type": "Point", "coordinates": [lon, lat]},
                         "properties": properties})
    detail_url = _detail_url_template("registry:organization_detail")
    response = JsonResponse({"type": "FeatureCollection", "features": features, "meta": {
        "total": len(houses), "located": len(features), "shown": len(features), "approximate": approximate,
        "capped": False, "cap": len(houses), "regions": regions, "kinds": kind_legend(counts),
        "by_province": {}, "detail_url": detail_url}}, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, private=True, no_cache=True)
    return response


# -- dashboards ---------------------------------------------------------------------------------------------
def _period(request) -> tuple[PeriodForm, dt.date, dt.date]:
    persian = jalali.is_persian()
    first, last = dashboards.month_bounds(timezone.localdate(), persian)
    form = PeriodForm(request.GET or None)
    if form.is_bound and form.is_valid():
        first = form.cleaned_data.get("first") or first
        last = form.cleaned_data.get("last") or last
    elif not form.is_bound:
        form = PeriodForm(initial={"first": first, "last": last})
    return form, first, last


def _render_dashboard(request, *, title: str, sites: list[Site], with_sites: bool, context: dict):
    form, first, last = _period(request)
    persian = jalali.is_persian()
    figures = dashboards.dashboard(sites, first, last, persian=persian)
    tables = dashboards.tables(figures, persian=persian, with_sites=with_sites)
    export = request.GET.get("export", "")
    heading = [title, jalali.format_date(first, numeric=True), jalali.format_date(last, numeric=True)]
    if export == "csv":
        response = HttpResponse(dashboards.export_csv(tables, heading), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="dashboard-{first}-{last}.csv"'
        return response
    if export == "xlsx":
        response = HttpResponse(dashboards.export_xlsx(tables, heading, rtl=persian), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="dashboard-{first}-{last}.xlsx"'
        return response
    if export:
        return HttpResponse(_("Unknown export format “%(format)s”: use csv or xlsx.") % {"format": export},
                            status=400, content_type="text/plain; charset=utf-8")
    query = request.GET.copy()
    query.pop("export", None)
    return render(request, "hubs/network/dashboard.html", {
        **context, "title": title, "form": form, "figures": figures, "tables": tables, "first": first,
        "last": last, "querystring": query.urlencode(), "chart_data": _chart_data(figures, persian),
        "missing": [name for name, value in figures.panels.items() if value is None],
    })


def _chart_data(figures: dashboards.Figures, persian: bool) -> dict:
    kinds = dict(SpaceKind.choices)
    months = sorted(figures.by_month.items())
    by_kind = sorted(figures.by_kind.items(), key=lambda kv: SpaceKind.values.index(kv[0])
                     if kv[0] in SpaceKind.values else 99)

    data = {
        "months": [dashboards.month_label(k, persian) for k, _b in months],
        "occupancy_by_month": [b.occupancy_pct for _k, b in months],
        "bookings_by_month": [b.bookings for _k, b in months],
        "cancellations_by_month": [b.cancellations for _k, b in months],
        "revenue_by_month": [b.revenue for _k, b in months],
        "kinds": [str(kinds.get(k, k)) for k, _b in by_kind],
        "occupancy_by_kind": [b.occupancy_pct for _k, b in by_kind],
        "t": {"occupancy": _("occupancy (%)"), "bookings": _("bookings"), "cancellations": _("cancellations"),
              "revenue": _("revenue (rials)"), "residents_by_stage": _("Residents by stage"),
              "residents_by_sector": _("Residents by sector")},
    }
    residents = figures.panels.get("residents")
    if residents:
        data["by_stage"] = [{"name": str(k), "value": v} for k, v in (residents.get("by_stage") or {}).items()]
        data["by_sector"] = [{"name": str(k), "value": v} for k, v in (residents.get("by_sector") or {}).items()]
    return data


@login_required
@require_GET
def site_dashboard(request, pk):
    site = get_object_or_404(Site.objects.select_related("operator"), pk=pk)
    if not selectors.can_see_site_dashboard(request.user, site):
        raise PermissionDenied(_("Only the staff of %(hub)s and the coordinators of its networks see this "
                                 "dashboard.") % {"hub": site.operator})
    return _render_dashboard(request, title=_("Dashboard of %(site)s") % {"site": site}, sites=[site],
                             with_sites=False, context={"site": site})


@login_required
@require_GET
def network_dashboard(request, pk):
    network = get_object_or_404(HubNetwork, pk=pk)
    if not network.is_coordinated_by(request.user):
        raise PermissionDenied(_("Only the coordinators of “%(network)s” see its network-wide reports.")
                               % {"network": network})
    sites = list(selectors.network_sites(network).order_by("name", "pk"))
    return _render_dashboard(request, title=_("Dashboard of %(network)s") % {"network": network}, sites=sites,
                             with_sites=True, context={"network": network})


@login_required
@require_GET
def dashboards_index(request):
    """The dashboards the user may open: their hubs' sites and the networks they coordinate."""
    return render(request, "hubs/network/dashboards.html", {
        "sites": selectors.dashboard_sites(request.user).select_related("operator").order_by("name", "pk"),
        "networks": selectors.coordinated_networks(request.user).order_by("name", "pk"),
    })
