"""Pages of a site selection study beyond the generic ones: criteria and weights (direct or AHP),
candidates with their values and points of interest (and their import), the ranking with its explanation,
sensitivity and map, the XLSX export and the map data. Thin: parse, check access, call one service, render."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from khooshe.analytics.validation import AnalyticsInputError
from khooshe.core import tabular
from khooshe.core.text import normalize
from khooshe.insights import glossary as insights_glossary
from khooshe.insights import present as insights_present
from khooshe.insights import selectors as insights_selectors

from . import forms, selectors, services
from .models import CandidateSite, PointOfInterest, SitingCriterion


def _number(text) -> float | None:
    """A number typed in a cell (Persian digits and a comma as decimal point accepted); None when empty."""
    text = normalize(str(text or "")).strip().replace(",", "")
    if not text:
        return None
    return float(text.replace("/", "."))


# -- criteria and weights --------------------------------------------------------------------------------------
def criteria(request, pk: int):
    """The criteria of a study: weights typed directly, or from pairwise comparisons (AHP)."""
    study = selectors.visible_study(request.user, pk)
    can_edit = study.is_editable_by(request.user)
    items = list(study.criteria.all())
    add_form = forms.CriterionForm(study=study)
    judgements = {tuple(k.split("|", 1)): v for k, v in (study.ahp_judgements or {}).items()}
    if request.method == "POST":
        study = selectors.editable_study(request.user, pk)
        action = request.POST.get("action")
        if action == "weights":
            weights, errors = {}, []
            for criterion in items:
                raw = request.POST.get(f"w_{criterion.pk}", "")
                try:
                    value = _number(raw)
                except ValueError:
                    value = -1
                if value is None or value < 0 or value != value:
                    errors.append(_("Weight of “%(criterion)s”: “%(value)s” is not a number of 0 or more; type e.g. "
                                    "2 or 0.5.") % {"criterion": criterion.name, "value": raw})
                else:
                    weights[criterion.pk] = value
            if errors:
                for error in errors:
                    messages.error(request, error)
                return render(request, "hubs/siting/criteria.html", _criteria_context(
                    study, items, add_form, judgements, can_edit), status=400)
            services.set_weights(study=study, weights=weights, method=request.POST.get("method"))
            messages.success(request, _("The weights were saved."))
            return HttpResponseRedirect(request.path)
        if action == "ahp":
            keys = [c.key for c in items]
            signed = insights_selectors.parse_judgements({**request.POST.dict(), "ahp": "1"}, keys)
            ratios = {pair: insights_selectors.saaty_ratio(v) for pair, v in signed.items()}
            try:
                result = services.set_ahp_weights(study=study, judgements=ratios)
            except services.InconsistentJudgements as exc:
                messages.error(request, exc.message)
                context = _criteria_context(study, items, add_form, ratios, can_edit, signed=signed)
                context["ahp_refused"] = {"consistency_ratio": exc.result.consistency_ratio}
                return render(request, "hubs/siting/criteria.html", context, status=400)
            except AnalyticsInputError as exc:
                messages.error(request, str(exc))
                return render(request, "hubs/siting/criteria.html", _criteria_context(
                    study, items, add_form, ratios, can_edit, signed=signed), status=400)
            messages.success(request, _("Weights from the pairwise comparisons saved (consistency ratio %(ratio).3f, "
                                        "acceptable up to 0.1).") % {"ratio": result.consistency_ratio})
            return HttpResponseRedirect(request.path)
        if action == "add":
            add_form = forms.CriterionForm(request.POST, study=study, instance=SitingCriterion(
                study=study, order=len(items)))
            if add_form.is_valid():
                add_form.save()
                messages.success(request, _("Criterion added."))
                return HttpResponseRedirect(request.path)
            return render(request, "hubs/siting/criteria.html", _criteria_context(
                study, items, add_form, judgements, can_edit), status=400)
        if action == "delete":
            study.criteria.filter(pk=request.POST.get("criterion") or 0).delete()
            messages.success(request, _("Criterion deleted."))
            return HttpResponseRedirect(request.path)
    return render(request, "hubs/siting/criteria.html", _criteria_context(study, items, add_form, judgements, can_edit))


def _criteria_context(study, items, add_form, judgements, can_edit, signed=None) -> dict:
    """The page's context; ``judgements`` are stored ratios {(a, b): a/b}, shown on Saaty's signed scale."""
    def signed_value(a, b):
        if signed is not None:
            return signed.get((a, b), 1)
        ratio = judgements.get((a, b))
        if not ratio:
            return 1
        return round(ratio) if ratio >= 1 else -round(1 / ratio)

    names = {c.key: c.name for c in items}
    pairs = []
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            options = []
            for value in insights_selectors.SAATY_VALUES:
                if value == 1:
                    text = str(insights_glossary.SAATY_SCALE[1])
                else:
                    text = _("%(criterion)s is %(intensity)s (%(value)s)") % {
                        "criterion": names[a.key] if value > 0 else names[b.key],
                        "intensity": insights_glossary.SAATY_SCALE[abs(value)],
                        "value": insights_present.format_number(abs(value))}
                options.append((value, text))
            pairs.append({"title_a": a.name, "title_b": b.name, "name": insights_selectors.judgement_param(a.key, b.key),
                          "value": signed_value(a.key, b.key), "options": options})
    total = sum(c.weight for c in items) or 1.0
    return {"study": study, "object": study, "criteria": [(c, c.weight / total) for c in items], "pairs": pairs,
            "add_form": add_form, "can_edit": can_edit, "methods": services.RankingMethod.choices}


# -- candidates ------------------------------------------------------------------------------------------------
def candidates(request, pk: int):
    """The candidate sites with their values (one grid), the points of interest, and the import."""
    study = selectors.visible_study(request.user, pk)
    can_edit = study.is_editable_by(request.user)
    items = list(study.criteria.all())
    candidate_form, point_form = forms.CandidateForm(), forms.PointForm(study=study)
    import_form, report, status = forms.ImportForm(), None, 200
    if request.method == "POST":
        study = selectors.editable_study(request.user, pk)
        action = request.POST.get("action")
        if action == "values":
            values, errors = {}, []
            for candidate in study.candidates.all():
                row = {}
                for criterion in items:
                    raw = request.POST.get(f"v_{candidate.pk}_{criterion.key}")
                    if raw is None:
                        continue
                    try:
                        row[criterion.key] = _number(raw)
                    except ValueError:
                        errors.append(_("“%(candidate)s”, %(criterion)s: “%(value)s” is not a number; type e.g. "
                                        "12.5 or leave it empty.") % {"candidate": candidate.name,
                                                                      "criterion": criterion.name, "value": raw})
                values[candidate.pk] = row
            if not errors:
                services.save_values(study=study, values=values)
                messages.success(request, _("The values were saved."))
                return HttpResponseRedirect(request.path)
            for error in errors:
                messages.error(request, error)
            status = 400
        elif action == "add":
            candidate_form = forms.CandidateForm(request.POST, instance=CandidateSite(study=study))
            if candidate_form.is_valid():
                candidate_form.save()
                messages.success(request, _("Candidate site added."))
                return HttpResponseRedirect(request.path)
            status = 400
        elif action == "point":
            point_form = forms.PointForm(request.POST, study=study, instance=PointOfInterest(study=study))
            if point_form.is_valid():
                point_form.save()
                messages.success(request, _("Point of interest added."))
                return HttpResponseRedirect(request.path)
            status = 400
        elif action == "delete":
            study.candidates.filter(pk=request.POST.get("candidate") or 0).delete()
            study.points.filter(pk=request.POST.get("point") or 0).delete()
            messages.success(request, _("Deleted."))
            return HttpResponseRedirect(request.path)
        elif action == "import":
            import_form = forms.ImportForm(request.POST, request.FILES)
            if import_form.is_valid():
                upload = import_form.cleaned_data["file"]
                with tempfile.TemporaryDirectory() as folder:
                    path = Path(folder) / ("upload" + Path(upload.name).suffix.lower())  # openpyxl reads by suffix
                    with open(path, "wb") as handle:
                        for chunk in upload.chunks():
                            handle.write(chunk)
                    report = services.import_candidates(study=study, path=path, file_name=upload.name)
                if not report.problems:
                    messages.success(request, _("Imported: %(created)s new and %(updated)s updated candidate sites.")
                                     % {"created": report.created, "updated": report.updated})
                    return HttpResponseRedirect(request.path)
            status = 400
    rows = []
    matrix, computed = services.candidate_values(study, items, list(study.candidates.all()))
    for candidate in study.candidates.all():
        cells = [(c, candidate.values.get(c.key), matrix[candidate.pk].get(c.key) if (candidate.pk, c.key) in computed
                  else None) for c in items]
        rows.append((candidate, cells))
    return render(request, "hubs/siting/candidates.html", {
        "study": study, "object": study, "criteria": items, "rows": rows, "can_edit": can_edit,
        "candidate_form": candidate_form, "point_form": point_form, "import_form": import_form, "report": report,
        "points": study.points.select_related("criterion"),
        "columns": [*services.BASE_COLUMNS, *[c.key for c in items]],
    }, status=status)


# -- ranking ---------------------------------------------------------------------------------------------------
def ranking(request, pk: int):
    """The ranked candidates, what each criterion contributes, how sure the first place is, and the map."""
    study = selectors.visible_study(request.user, pk)
    result = services.rank(study)
    count = len(result.candidates)
    rows = []
    if not result.problem:
        for candidate in result.candidates:
            contributions = result.contributions.get(candidate.pk, {})
            rows.append({"candidate": candidate, "rank": result.ranks[candidate.pk], "score": result.scores[candidate.pk],
                         "colour": selectors.rank_colour(result.ranks[candidate.pk], count),
                         "cells": [(result.matrix[candidate.pk][c.key], contributions.get(c.key, 0.0),
                                    (candidate.pk, c.key) in result.computed) for c in result.criteria]})
    return render(request, "hubs/siting/ranking.html", {
        "study": study, "object": study, "ranking": result, "rows": rows,
        "weights": [(c, result.weights.get(c.key, 0.0)) for c in result.criteria],
        "sensitivity": _sensitivity(result), "can_edit": study.is_editable_by(request.user),
    })


def _sensitivity(result) -> dict | None:
    """The stability table in the shape of the insights page's template (insights/_sensitivity.html)."""
    if result.sensitivity is None:
        return None
    names = {c.key: c.name for c in result.criteria}
    label = {c.pk: c.name for c in result.candidates}

    def who(value):
        return None if value is None or value != value else label.get(int(value))

    rows = [{"name": key, "title": names[key], "weight": float(row["weight"]), "stable_from": float(row["stable_from"]),
             "stable_to": float(row["stable_to"]), "top_below": who(row["top_below"]), "top_above": who(row["top_above"])}
            for key, row in result.sensitivity.stability.iterrows()]
    top = result.sensitivity.stability["top"].iloc[0]
    return {"top": label.get(int(top)), "rows": rows, "chart": {}, "skipped": False}


@require_GET
def ranking_xlsx(request, pk: int):
    study = selectors.visible_study(request.user, pk)
    result = services.rank(study, with_sensitivity=False)
    if result.problem:
        messages.error(request, result.problem)
        return HttpResponseRedirect(reverse("hubs:siting_ranking", kwargs={"pk": pk}))
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="siting-{study.pk}-ranking.xlsx"'
    tabular.write_xlsx(response, services.ranking_rows(result), title=study.name)
    return response


@require_GET
def map_geojson(request, pk: int):
    """The candidates with coordinates as GeoJSON points (rank, score, colour) and the points of interest."""
    study = selectors.visible_study(request.user, pk)
    result = services.rank(study, with_sensitivity=False)
    count = len(result.candidates)
    features = []
    for candidate in result.candidates:
        if candidate.latitude is None:
            continue
        place = result.ranks.get(candidate.pk)
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [candidate.longitude,
                                                                                          candidate.latitude]},
                         "properties": {"kind": "candidate", "id": candidate.pk, "name": candidate.name, "rank": place,
                                        "score": result.scores.get(candidate.pk),
                                        "colour": selectors.rank_colour(place, count) if place else "#757575"}})
    for point in study.points.select_related("criterion"):
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [point.longitude, point.latitude]},
                         "properties": {"kind": "point", "id": point.pk, "name": point.name,
                                        "criterion": point.criterion.name}})
    return JsonResponse({"type": "FeatureCollection", "features": features}, json_dumps_params={"ensure_ascii": False})


@require_GET
def ranking_json(request, pk: int):
    """``GET /api/hubs/siting/<id>/ranking/``: the ranking as JSON (same access as the page)."""
    study = selectors.visible_study(request.user, pk)
    result = services.rank(study, with_sensitivity=False)
    if result.problem:
        return JsonResponse({"detail": result.problem, "ranking": []}, status=409)
    return JsonResponse({"method": study.method, "weights": result.weights, "ranking": [
        {"id": c.pk, "name": c.name, "rank": result.ranks[c.pk], "score": result.scores[c.pk],
         "values": result.matrix[c.pk]} for c in result.candidates]}, json_dumps_params={"ensure_ascii": False})
