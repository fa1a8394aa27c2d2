"""Insights pages beyond the generic dataset list/detail: upload with column mapping, registry dataset,
starting a run, the run page (progress, results by tab, map, priorities), exports, new registry cluster.

Thin views: parse, check access, call one service or selector, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET, require_POST

from khooshe.analytics.validation import AnalyticsInputError
from khooshe.registry.models import Cluster

from . import errors, exports, glossary, present, results, selectors, services, storage
from .forms import CreateClusterForm, MappingForm, RegistryDatasetForm, RunParametersForm, UploadForm
from .models import AnalysisRun, Dataset


def _deny(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(_("You do not have permission to do this."))


def _visible_dataset(request, pk) -> Dataset:
    return get_object_or_404(selectors.visible_datasets(request.user), pk=pk)


def _visible_run(request, pk) -> AnalysisRun:
    return get_object_or_404(selectors.visible_runs(request.user), pk=pk)


# -- datasets ---------------------------------------------------------------------------------------------
class DatasetUploadView(View):
    """Step 1: choose a file (its columns and first rows are read). Step 2: say which column holds the
    region, the industry, the value...; the file is checked and the dataset saved, or the problems are
    shown next to the fields, naming the row, column and value. Nothing is saved until step 2 succeeds."""

    def dispatch(self, request, *args, **kwargs):
        if not Dataset.can_be_created_by(request.user):
            return _deny(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, "insights/upload.html", {"form": UploadForm()})

    def post(self, request):
        if "token" in request.POST:
            return self.map_columns(request)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "insights/upload.html", {"form": form}, status=400)
        try:
            staged = services.stage_upload(user=request.user, uploaded_file=form.cleaned_data["file"])
        except AnalyticsInputError as exc:
            form.add_error("file", errors.describe(exc))
            return render(request, "insights/upload.html", {"form": form}, status=400)
        name = staged.original_name.rsplit(".", 1)[0]
        mapping = MappingForm(columns=staged.preview.columns, guesses=staged.preview.guesses, user=request.user,
                              initial={"token": staged.token, "name": name})
        return render(request, "insights/mapping.html", {"form": mapping, "staged": staged})

    def map_columns(self, request):
        try:
            staged = services.load_staged(user=request.user, token=request.POST.get("token", ""))
        except AnalyticsInputError as exc:
            return render(request, "insights/upload.html", {"form": UploadForm(), "problem": errors.describe(exc)},
                          status=400)
        form = MappingForm(request.POST, columns=staged.preview.columns, user=request.user)
        if form.is_valid():
            try:
                dataset = services.create_dataset(user=request.user, token=staged.token, mapping=form.mapping(),
                                                  **form.dataset_fields())
            except AnalyticsInputError as exc:
                form.add_error(errors.field_of(exc, form.mapping()), errors.describe(exc))
            else:
                messages.success(request, _("Saved “%(object)s”.") % {"object": dataset})
                return redirect(dataset.get_absolute_url())
        return render(request, "insights/mapping.html", {"form": form, "staged": staged}, status=400)


class RegistryDatasetView(View):
    """A dataset made of the registry's organizations (regions x ISIC divisions, estimated employees)."""

    def dispatch(self, request, *args, **kwargs):
        if not Dataset.can_be_created_by(request.user):
            return _deny(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        form = RegistryDatasetForm(user=request.user, initial={"name": _("Organizations of the registry")})
        return render(request, "insights/registry_dataset.html", {"form": form})

    def post(self, request):
        form = RegistryDatasetForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                dataset = services.create_registry_dataset(user=request.user,
                                                           region_level=form.cleaned_data["region_level"],
                                                           **form.dataset_fields())
            except AnalyticsInputError as exc:
                form.add_error(None, errors.describe(exc))
            else:
                messages.success(request, _("Saved “%(object)s”.") % {"object": dataset})
                return redirect(dataset.get_absolute_url())
        return render(request, "insights/registry_dataset.html", {"form": form}, status=400)


@require_GET
def dataset_download(request, pk, kind):
    """The uploaded original, or the checked data as Parquet, to whoever may see the dataset."""
    dataset = _visible_dataset(request, pk)
    if kind == "original":
        path = storage.original_file(dataset.pk)
        name = dataset.original_name or (path.name if path else "")
    elif kind == "data":
        path = storage.dataset_data(dataset.pk)
        name = f"khooshe-dataset-{dataset.pk}.parquet"
    else:
        raise Http404
    if path is None or not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


@require_POST
def run_start(request, pk):
    dataset = _visible_dataset(request, pk)
    if not dataset.is_editable_by(request.user):
        return _deny(request)
    form = RunParametersForm(request.POST)
    if not form.is_valid():
        for field, problems in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(problems)}" if label else " ".join(problems))
        return redirect(dataset.get_absolute_url())
    parameters = form.parameters()
    again = AnalysisRun.objects.filter(dataset=dataset, pk=request.POST.get("again") or None).first() \
        if (request.POST.get("again") or "").isdigit() else None
    if again is not None and isinstance(again.parameters.get("support_institutions"), dict):
        # "Run again" keeps what the form cannot show (support institutions given through the API)
        parameters["support_institutions"] = again.parameters["support_institutions"]
    run = services.start_run(user=request.user, dataset=dataset, parameters=parameters)
    return redirect(run.get_absolute_url())


# -- the run page ---------------------------------------------------------------------------------------------
def _table_context(request, run: AnalysisRun, name: str, params=None) -> dict:
    params = request.GET if params is None else params
    table_request = selectors.parse_table_request(run, name, params)
    page = None
    problems = list(table_request.errors.values())
    if not problems:
        try:
            page = selectors.table_page(run, name, table_request)
        except results.TableQueryError as exc:
            problems.append(exc.message)
    language = get_language()
    columns = selectors.table_columns(run, name)
    context = {
        "run": run, "table": name, "title": glossary.table_title(name), "help": glossary.table_help(name),
        "problems": problems, "table_request": table_request,
        "bool_columns": [{"name": c.name, "title": glossary.column_title(c.name)} for c in columns
                         if c.kind == "bool"],
        "only": params.getlist("only") if hasattr(params, "getlist") else [],
        "per_page_choices": selectors.PER_PAGE_CHOICES,
        "table_url": reverse("insights:run_table", kwargs={"pk": run.pk, "name": name}),
        "page_url": reverse("insights:run_detail", kwargs={"pk": run.pk}),
    }
    if page is not None:
        context.update({
            "page": page,
            "headers": present.headers(present.shown_columns(page.columns), page.sort),
            "rows": [present.row_cells(run, page.columns, row, language) for row in page.rows],
        })
    return context


@require_GET
def run_detail(request, pk):
    run = _visible_run(request, pk)
    tabs = [(name, glossary.table_title(name)) for name in selectors.tabs(run)]
    if selectors.map_measures(run):
        position = next((i + 1 for i, (n, _t) in enumerate(tabs) if n == "region_industry"), len(tabs))
        tabs.insert(position, ("map", _("Map")))
    tab = request.GET.get("tab") or (tabs[0][0] if tabs else "")
    if tabs and tab not in dict(tabs):
        raise Http404
    context = {"run": run, "dataset": run.dataset, "tabs": tabs, "tab": tab, "about": _about(run),
               "can_run": run.dataset.is_editable_by(request.user),
               "parameters": [(RunParametersForm.base_fields[k].label if k in RunParametersForm.base_fields else k, v)
                              for k, v in run.parameters.items() if k not in _NOT_SHOWN_PARAMETERS],
               "lifecycle_rules": _lifecycle_rules(run),
               "error": errors.error_message(run.error_code, run.error_params, run.error_message)
               if run.status == AnalysisRun.Status.FAILED else ""}
    if run.status == AnalysisRun.Status.SUCCEEDED and tab:
        if tab == "map":
            context.update(_map_context(request, run))
        elif tab == "clusters":
            context.update(_priority_context(request, run))
        else:
            context.update(_table_context(request, run, tab))
    return render(request, "insights/run_detail.html", context)


def _lifecycle_rules(run: AnalysisRun) -> list[str]:
    """The life-cycle rule the run applied, translated, from its thresholds (none when the pipeline did not
    record its rules)."""
    rules = (run.meta or {}).get("rules")
    return glossary.lifecycle_rules_text(rules.get("lifecycle_rules")) if isinstance(rules, dict) else []


# Parameters shown in "About this analysis" in words of their own (see _about), not as raw values.
_NOT_SHOWN_PARAMETERS = {"support_institutions"}


def _about(run: AnalysisRun) -> list[tuple[str, object]]:
    """What the pipeline says about its results (meta.json), for the "About this analysis" box."""
    meta = run.meta or {}
    rows = []
    if meta.get("year") is not None:
        rows.append((_("year analysed"), str(meta["year"])))
    if len(meta.get("growth_years") or []) == 2:
        rows.append((_("growth measured over"), "–".join(str(y) for y in meta["growth_years"])))
    for key, label in (("regions", _("regions")), ("industries", _("industries")),
                       ("records_aggregated", _("aggregated rows"))):
        if meta.get(key) is not None:
            rows.append((label, meta[key]))
    support = run.parameters.get("support_institutions")
    if isinstance(support, dict):
        rows.append((_("support institutions counted (by region)"),
                     _("%(count)s in %(regions)s regions") % {
                         "count": present.format_number(sum(v for v in support.values() if isinstance(v, int | float))),
                         "regions": present.format_number(len(support))}))
    for key, label in (("dropped_regions", _("regions left out (no activity in the year analysed)")),
                       ("dropped_industries", _("industries left out (no activity in the year analysed)"))):
        if meta.get(key):
            names = [str(n) for n in meta[key]]
            rows.append((label, ", ".join(names[:20]) + (" …" if len(names) > 20 else "")))
    validation = meta.get("cluster_validation") or {}
    if validation.get("vs_cr") is not None:
        rows.append((_("cluster definitions: share of clusters more related inside than outside"),
                     validation["vs_cr"]))
    if validation.get("vs_ir") is not None:
        rows.append((_("cluster definitions: share of industries closest to their own cluster"), validation["vs_ir"]))
    return rows


@require_GET
def run_progress(request, pk):
    """The progress bar, polled every second by htmx; once the run is over the page reloads itself."""
    run = _visible_run(request, pk)
    response = render(request, "insights/_progress.html", {"run": run})
    if run.is_finished:
        response["HX-Refresh"] = "true"
    patch_cache_control(response, no_cache=True, private=True)
    return response


@require_GET
def run_table(request, pk, name):
    run = _visible_run(request, pk)
    if selectors.table_path(run, name) is None:
        raise Http404
    return render(request, "insights/_table.html", _table_context(request, run, name))


@require_GET
def run_export(request, pk, name, fmt):
    run = _visible_run(request, pk)
    names = list(run.tables) if name == "all" else [name]
    if not names or any(selectors.table_path(run, n) is None for n in names):
        raise Http404
    table_request = selectors.parse_table_request(run, names[0], request.GET) if len(names) == 1 else None
    if table_request is not None and table_request.errors:
        return HttpResponseBadRequest("; ".join(table_request.errors.values()))
    try:
        if fmt == "csv" and len(names) == 1:
            return exports.csv_response(run, names[0], table_request)
        if fmt == "xlsx":
            return exports.xlsx_response(run, names, table_request)
    except results.TableQueryError as exc:
        return HttpResponseBadRequest(exc.message)
    raise Http404


# -- map ------------------------------------------------------------------------------------------------------
def _map_context(request, run) -> dict:
    from django.conf import settings

    choices = selectors.industry_choices(run)
    return {"industries": choices, "measures": [(m, glossary.column_title(m)) for m in selectors.map_measures(run)],
            "map_url": reverse("insights:run_map", kwargs={"pk": run.pk}), "tiles_url": settings.KHOOSHE_MAP_TILES_URL,
            "selected_industry": request.GET.get("industry") or (choices[0][0] if choices else "")}


@require_GET
def run_map(request, pk):
    """JSON for the choropleth: one industry's measure (LQ by default) in every region."""
    run = _visible_run(request, pk)
    industry = request.GET.get("industry", "")
    try:
        data = selectors.map_data(run, industry, request.GET.get("measure", "lq"))
    except results.TableQueryError as exc:
        return JsonResponse({"error": exc.message}, status=400)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, private=True, no_cache=True)
    return response


# -- priorities -------------------------------------------------------------------------------------------------
def _priority_context(request, run) -> dict:
    """The priority table with the sliders' weights, or with the weights of the AHP comparisons when the
    AHP form was sent (the sliders then show them), and the sensitivity of its ranking."""
    groups = selectors.priority_criteria(run)
    names = [name for _group, group_names in groups for name in group_names]
    weights = selectors.parse_weights(run, request.GET)
    judgements = selectors.parse_judgements(request.GET, names) if len(names) >= 2 else None
    ahp = None
    if judgements is not None:
        try:
            ahp = services.priority_ahp({pair: selectors.saaty_ratio(v) for pair, v in judgements.items()})
        except AnalyticsInputError as exc:
            messages.error(request, errors.describe(exc))
        except ImportError:
            ahp = None
        if ahp is not None:
            weights = selectors.slider_weights(ahp.weights.to_dict())
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    table = selectors.priority_table(run, weights=weights, method=request.GET.get("method", "weighted_sum"),
                                     q=request.GET.get("q", "").strip(), page=page)
    language = get_language()
    created = (run.labels or {}).get("registry_clusters", {})
    rows = []
    if table is not None:
        for record in table.rows:
            key = f"{record.get('region')}|{record.get('industry')}"
            rows.append({"cells": [present.cell_for(run, c, record, language) for c in table.columns],
                         "region": record.get("region"), "industry": record.get("industry"),
                         "cluster_url": reverse("registry:cluster_detail", kwargs={"pk": created[key]})
                         if key in created else None})
    return {
        "priority": table, "priority_rows": rows,
        "priority_headers": present.headers(table.columns, []) if table else [],
        "criteria": [(group, [(n, glossary.column_title(n), glossary.column_help(n), weights.get(n, 1.0))
                              for n in group_names]) for group, group_names in groups],
        "can_create_cluster": Cluster.can_be_created_by(request.user),
        "priority_url": reverse("insights:run_priorities", kwargs={"pk": run.pk}),
        "ahp_url": reverse("insights:run_ahp", kwargs={"pk": run.pk}),
        "ahp_pairs": _ahp_pairs(names, judgements or {}),
        "ahp": _ahp_result(ahp) if ahp is not None else None,
        "sensitivity": selectors.priority_sensitivity(run, table),
        "sensitivity_limit": selectors.SENSITIVITY_MAX_CANDIDATES,
    }


def _ahp_pairs(names: list[str], judgements: dict) -> list[dict]:
    """One row of the AHP form per pair of criteria: a select from "a extremely more important" through
    "equally important" to "b extremely more important" (Saaty's 1-9 scale)."""
    pairs = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            titles = {1: glossary.column_title(a), -1: glossary.column_title(b)}
            options = []
            for value in selectors.SAATY_VALUES:
                if value == 1:
                    text = str(glossary.SAATY_SCALE[1])
                else:
                    text = _("%(criterion)s is %(intensity)s (%(value)s)") % {
                        "criterion": titles[1 if value > 0 else -1], "intensity": glossary.SAATY_SCALE[abs(value)],
                        "value": present.format_number(abs(value))}
                options.append((value, text))
            pairs.append({"a": a, "b": b, "title_a": titles[1], "title_b": titles[-1],
                          "name": selectors.judgement_param(a, b), "value": judgements.get((a, b), 1),
                          "options": options})
    return pairs


def _importance(a: str, b: str, ratio: float) -> str:
    """“a is 3 times as important as b”, with the larger element first (ratios of 1 or more read best)."""
    if ratio < 1:
        a, b, ratio = b, a, 1 / ratio
    return _("“%(a)s” is %(times)s times as important as “%(b)s”") % {
        "a": glossary.column_title(a), "b": glossary.column_title(b),
        "times": present.format_number(float(f"{ratio:.2g}"))}


def _ahp_result(ahp) -> dict:
    """The AHP weights, the consistency ratio and, when it is above Saaty's 0.1, which comparison to
    revise first (the one that disagrees most with the weights)."""
    warning = ""
    if not ahp.consistent and ahp.worst_comparison is not None:
        a, b, given, implied = ahp.worst_comparison
        warning = _("The comparisons contradict each other (consistency ratio %(ratio)s, more than %(limit)s). "
                    "Revise first the comparison of “%(a)s” with “%(b)s”: you said %(given)s, but your other "
                    "comparisons imply %(implied)s.") % {
            "ratio": present.format_number(round(ahp.consistency_ratio, 3)),
            "limit": present.format_number(ahp.max_consistency_ratio),
            "a": glossary.column_title(a), "b": glossary.column_title(b),
            "given": _importance(a, b, given), "implied": _importance(a, b, implied)}
    return {"weights": [(glossary.column_title(name), float(weight)) for name, weight in ahp.weights.items()],
            "consistency_ratio": ahp.consistency_ratio, "limit": ahp.max_consistency_ratio,
            "consistent": ahp.consistent, "warning": warning}


@require_GET
def run_priorities(request, pk):
    """The ranked candidates (and the sensitivity of the ranking): what the sliders refresh."""
    run = _visible_run(request, pk)
    if selectors.table_path(run, "clusters") is None:
        raise Http404
    return render(request, "insights/_priorities.html", {"run": run, **_priority_context(request, run)})


@require_GET
def run_ahp(request, pk):
    """The whole priority section with the weights of the AHP comparisons sent (sliders included)."""
    run = _visible_run(request, pk)
    if selectors.table_path(run, "clusters") is None:
        raise Http404
    return render(request, "insights/_priority_section.html", {"run": run, **_priority_context(request, run)})


# -- a registry cluster from a candidate ------------------------------------------------------------------------
class CreateClusterView(View):
    """Confirm, then create a registry cluster (name, sector, region, members) from a candidate cluster."""

    def dispatch(self, request, pk):
        self.run = _visible_run(request, pk)
        if not Cluster.can_be_created_by(request.user):
            return _deny(request)
        self.region = request.POST.get("region") or request.GET.get("region") or ""
        self.industry = request.POST.get("industry") or request.GET.get("industry") or ""
        try:
            self.proposal = services.propose_cluster(user=request.user, run=self.run, region=self.region,
                                                     industry=self.industry)
        except AnalyticsInputError:
            raise Http404 from None
        return super().dispatch(request, pk)

    def get(self, request, pk):
        form = CreateClusterForm(initial={"name_fa": self.proposal.name_fa, "name_en": self.proposal.name_en})
        return self.render(request, form)

    def post(self, request, pk):
        form = CreateClusterForm(request.POST)
        if not form.is_valid():
            return self.render(request, form, status=400)
        cluster = services.create_registry_cluster(user=request.user, run=self.run, region=self.region,
                                                   industry=self.industry, **form.cleaned_data)
        messages.success(request, _("Created the cluster “%(object)s” with %(count)s members.") % {
            "object": cluster, "count": cluster.memberships.count()})
        return redirect(cluster.get_absolute_url())

    def render(self, request, form, status=200):
        created = (self.run.labels or {}).get("registry_clusters", {})
        existing = created.get(f"{self.proposal.region_value}|{self.proposal.industry_value}")
        return render(request, "insights/create_cluster.html", {
            "run": self.run, "proposal": self.proposal, "form": form, "members": self.proposal.members[:100],
            "member_count": len(self.proposal.members),
            "existing": Cluster.objects.filter(pk=existing).first() if existing else None,
            "facts": [(glossary.column_title(k), present.cell_for(self.run, k, self.proposal.row)) for k in
                      self.proposal.row if k not in ("region", "industry") and k not in glossary.HIDDEN_COLUMNS],
        }, status=status)
