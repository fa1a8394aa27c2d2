"""The insights REST API.

- ``/api/insights/datasets/``: the generic viewset of ``core.api`` (same filters and access rules as the
  list page) with ``DatasetSerializer``: create uploads a file (multipart: ``file`` and the column of each
  role) or builds the dataset from the registry (``source=registry``).
- ``/api/insights/runs/``: list, retrieve (status and progress) and create (= start an analysis);
  ``/api/insights/runs/{id}/tables/{name}/`` pages through a result table (ordering, search, filters);
  ``/api/insights/runs/{id}/priorities/`` ranks the candidate clusters with the weights given.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.utils.urls import remove_query_param, replace_query_param

from khooshe.analytics.validation import AnalyticsInputError
from khooshe.core.api import BaseModelSerializer, ReadableRelatedField, _name_audit_actor
from khooshe.registry.filters import IdFilter

from . import errors, glossary, ingest, results, selectors, services
from .forms import RunParametersForm
from .models import AnalysisRun, Dataset

TIMESTAMPS = ["created_at", "updated_at"]


class DatasetSerializer(BaseModelSerializer):
    source = serializers.ChoiceField(choices=Dataset.Source.choices, default=Dataset.Source.UPLOAD,
                                     help_text="upload: send `file` and the columns; registry: built from the "
                                               "organizations you can see. Set at creation only.")
    file = serializers.FileField(write_only=True, required=False,
                                 help_text="CSV (UTF-8), XLSX or Parquet (source=upload; creation only).")
    region_level = serializers.ChoiceField(choices=services.REGION_LEVELS, write_only=True, required=False,
                                           default="auto", help_text="source=registry: provinces or counties.")
    region_col = serializers.CharField(required=False, allow_blank=True, max_length=200)
    industry_col = serializers.CharField(required=False, allow_blank=True, max_length=200)
    value_col = serializers.CharField(required=False, allow_blank=True, max_length=200)
    year_col = serializers.CharField(required=False, allow_blank=True, max_length=200)
    establishment_col = serializers.CharField(required=False, allow_blank=True, max_length=200)
    wage_col = serializers.CharField(required=False, allow_blank=True, max_length=200)
    owner = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Dataset
        fields = ["id", "name", "description", "source", "file", "region_level", "file_format", "original_name",
                  "file_size", "region_col", "industry_col", "value_col", "year_col", "establishment_col",
                  "wage_col", "row_count", "visibility", "cluster", "region", "owner", *TIMESTAMPS]
        read_only_fields = ["file_format", "original_name", "file_size", "row_count", *TIMESTAMPS]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is None and attrs.get("source", Dataset.Source.UPLOAD) == Dataset.Source.UPLOAD:
            problems = {}
            if not attrs.get("file"):
                problems["file"] = [_("Upload a CSV, XLSX or Parquet file.")]
            for role in ingest.REQUIRED_ROLES:
                if not attrs.get(f"{role}_col"):
                    problems[f"{role}_col"] = [errors.error_message("mapping_required", {"role": role})]
            if problems:
                raise ValidationError(problems)
        return attrs

    def create(self, validated_data):
        user = self.context["request"].user
        common = {key: validated_data.get(key) for key in ("description", "cluster", "region")}
        common["description"] = common["description"] or ""
        common["visibility"] = validated_data.get("visibility") or Dataset._meta.get_field("visibility").default
        try:
            if validated_data.get("source") == Dataset.Source.REGISTRY:
                return services.create_registry_dataset(user=user, name=validated_data["name"],
                                                        region_level=validated_data.get("region_level", "auto"),
                                                        **common)
            mapping = {role: validated_data.get(f"{role}_col") or "" for role in ingest.ROLES}
            return services.create_dataset_from_file(user=user, uploaded_file=validated_data["file"],
                                                     name=validated_data["name"], mapping=mapping, **common)
        except AnalyticsInputError as exc:
            raise ValidationError({errors.field_of(exc, {}) or "file": [errors.describe(exc)]}) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc

    def update(self, instance, validated_data):
        # The data and its mapping are fixed at creation; a new upload makes a new dataset.
        for key in ("name", "description", "visibility", "cluster", "region"):
            if key in validated_data:
                setattr(instance, key, validated_data[key])
        instance.save()
        return instance


class RunErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    params = serializers.DictField()
    message = serializers.CharField(help_text="In the language of the request (Accept-Language).")


class AnalysisRunSerializer(serializers.ModelSerializer):
    serializer_related_field = ReadableRelatedField
    parameters = serializers.JSONField(required=False, help_text=(
        "Thresholds of the analysis; any of: " + ", ".join(RunParametersForm.base_fields)
        + ". Missing ones take their defaults. Also `support_institutions`: {region: number of support "
        "institutions} for the life-cycle stage (a registry dataset passes its own)."))
    error = serializers.SerializerMethodField()
    step_label = serializers.SerializerMethodField(help_text="The current step in the language of the request.")
    created_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = AnalysisRun
        fields = ["id", "dataset", "parameters", "status", "progress", "step", "step_label", "error", "tables",
                  "created_by", "created_at", "started_at", "finished_at"]
        read_only_fields = ["status", "progress", "step", "tables", "created_at", "started_at", "finished_at"]

    def get_step_label(self, run) -> str:
        return glossary.step_label(run.step)

    @extend_schema_field(RunErrorSerializer(allow_null=True))
    def get_error(self, run):
        if run.status != AnalysisRun.Status.FAILED:
            return None
        return {"code": run.error_code, "params": run.error_params,
                "message": errors.error_message(run.error_code, run.error_params, run.error_message)}

    def validate_parameters(self, value):
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValidationError(_("Give the parameters as an object of names and values."))
        value = dict(value)
        support = value.pop("support_institutions", None)
        unknown = sorted(set(value) - set(RunParametersForm.base_fields))
        if unknown:
            raise ValidationError(_("Unknown parameters: %(names)s.") % {"names": ", ".join(map(str, unknown))})
        form = RunParametersForm(data={**RunParametersForm.defaults(), **value})
        if not form.is_valid():
            raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        parameters = form.parameters()
        if support is not None:
            try:
                parameters["support_institutions"] = services.clean_support_institutions(support)
            except AnalyticsInputError as exc:
                raise ValidationError({"support_institutions": [errors.describe(exc)]}) from exc
        return parameters

    def create(self, validated_data):
        try:
            return services.start_run(user=self.context["request"].user, dataset=validated_data["dataset"],
                                      parameters=validated_data.get("parameters") or RunParametersForm.defaults())
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc


class AnalysisRunFilterSet(django_filters.FilterSet):
    dataset = IdFilter(label="dataset")
    status = django_filters.ChoiceFilter(choices=AnalysisRun.Status.choices)

    class Meta:
        model = AnalysisRun
        fields = ["dataset", "status"]


class TableColumnSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField(help_text="DuckDB type: VARCHAR, DOUBLE, BIGINT, BOOLEAN...")
    title = serializers.CharField(help_text="What the column is, in the language of the request.")
    help = serializers.CharField(help_text="One plain sentence explaining it (may be empty).")


class TablePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    columns = TableColumnSerializer(many=True)
    results = serializers.ListField(child=serializers.DictField())


def json_value(value):
    """A cell as JSON: NaN and infinities become null (strict JSON has no NaN)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    item = getattr(value, "item", None)  # numpy scalars from pandas
    if callable(item) and not isinstance(value, str | int | bool):
        return json_value(item())
    return value


def _page_links(request, page: int, pages: int) -> tuple[str | None, str | None]:
    url = request.build_absolute_uri()
    following = replace_query_param(url, "page", page + 1) if page < pages else None
    if page <= 1:
        previous = None
    elif page == 2:
        previous = remove_query_param(url, "page")
    else:
        previous = replace_query_param(url, "page", page - 1)
    return following, previous


TABLE_PARAMETERS = [
    OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH,
                     description="A table of the run: see its `tables` (clusters, regions, industries, "
                                 "region_industry, diversification, ...)."),
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description=f"Rows per page, 1 to {results.MAX_PER_PAGE}."),
    OpenApiParameter("ordering", OpenApiTypes.STR, description="Columns to sort by, comma-separated; a leading "
                     "`-` sorts descending, e.g. `-lq,region`."),
    OpenApiParameter("q", OpenApiTypes.STR, description="Text contained in a text column, or in the registry "
                     "name of the row's region or industry."),
    OpenApiParameter("only", OpenApiTypes.STR, description="A yes/no column: only the rows where it is yes, "
                     "e.g. `strong`."),
]


class AnalysisRunViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin,
                         viewsets.GenericViewSet):
    """Analysis runs: POST starts one (in the background); GET shows its status, progress and tables.

    Filter a result table with `?<column>=value`, `?<column>__gte=` and `?<column>__lte=`."""

    serializer_class = AnalysisRunSerializer
    filterset_class = AnalysisRunFilterSet
    queryset = AnalysisRun.objects.none()  # for the schema; get_queryset is used

    def get_queryset(self):
        return selectors.visible_runs(self.request.user).order_by("-created_at", "-pk")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _name_audit_actor(request.user)

    def _table_run(self, pk) -> AnalysisRun:
        run = self.get_object()
        if run.status != AnalysisRun.Status.SUCCEEDED:
            raise ValidationError({"status": [_("This analysis has no results: it is %(status)s.") % {
                "status": run.get_status_display()}]})
        return run

    @extend_schema(parameters=TABLE_PARAMETERS, responses=TablePageSerializer, filters=False)
    @action(detail=True, methods=["get"], url_path=r"tables/(?P<name>[A-Za-z0-9_]+)", filterset_class=None)
    def table(self, request, pk=None, name=None):
        """A page of one result table of a run (read with DuckDB: filters, ordering and paging applied
        while reading the Parquet file)."""
        run = self._table_run(pk)
        if selectors.table_path(run, name) is None:
            raise Http404
        table_request = selectors.parse_table_request(run, name, request.query_params)
        if table_request.errors:
            raise ValidationError({k: [v] for k, v in table_request.errors.items()})
        try:
            page = selectors.table_page(run, name, table_request)
        except results.TableQueryError as exc:
            raise ValidationError({exc.field: [exc.message]}) from exc
        following, previous = _page_links(request, page.page, page.pages)
        return Response({
            "count": page.total, "next": following, "previous": previous,
            "columns": [{"name": c.name, "type": c.type, "title": glossary.column_title(c.name),
                         "help": glossary.column_help(c.name)} for c in page.columns],
            "results": [{k: json_value(v) for k, v in row.items()} for row in page.records()],
        })

    @extend_schema(
        parameters=[
            OpenApiParameter("method", OpenApiTypes.STR, enum=["weighted_sum", "topsis"],
                             description="weighted_sum (min-max normalised) or topsis."),
            OpenApiParameter("weights", OpenApiTypes.STR, description="Weights as `criterion:weight` pairs, "
                             "comma-separated, e.g. `employment:3,lq:2,wages:1` (0 to 10; criteria not "
                             "given weigh 1). The criteria are listed in the response."),
            OpenApiParameter("page", OpenApiTypes.INT), OpenApiParameter("page_size", OpenApiTypes.INT),
            OpenApiParameter("q", OpenApiTypes.STR),
        ],
        responses=TablePageSerializer, filters=False)
    @action(detail=True, methods=["get"], filterset_class=None)
    def priorities(self, request, pk=None):
        """The candidate clusters ranked by weighted criteria (weighted sum or TOPSIS)."""
        run = self._table_run(pk)
        params = {}
        for pair in (request.query_params.get("weights") or "").split(","):
            name, _sep, weight = pair.partition(":")
            if name.strip():
                params[f"w_{name.strip()}"] = weight
        table_request = selectors.parse_table_request(run, "clusters", {
            k: v for k, v in request.query_params.items() if k in ("page", "page_size")})
        if table_request.errors:
            raise ValidationError({k: [v] for k, v in table_request.errors.items()})
        table = selectors.priority_table(run, weights=selectors.parse_weights(run, params),
                                         method=request.query_params.get("method", "weighted_sum"),
                                         q=request.query_params.get("q", ""), page=table_request.page,
                                         per_page=table_request.per_page)
        if table is None:
            raise Http404
        following, previous = _page_links(request, table.page, table.pages)
        return Response({
            "count": table.total, "next": following, "previous": previous,
            "columns": [{"name": c, "type": "", "title": glossary.column_title(c), "help": glossary.column_help(c)}
                        for c in table.columns],
            "results": [{k: json_value(row.get(k)) for k in table.columns} for row in table.rows],
        })


router = SimpleRouter()
router.register("runs", AnalysisRunViewSet, basename="insights-run")
urlpatterns = router.urls
