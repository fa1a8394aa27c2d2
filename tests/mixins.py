"""Generic test mixins (the NetBox pattern): a model registered with ``core.generic.register`` gets its
whole web UI, export and REST API test set by declaring a few lines::

    class TestOrganizationViews(ViewTestCases.PrimaryObjectViewTestCase):
        model = Organization
        bulk_objects = make_orgs                      # function(n) -> n saved records
        create_data = {"kind": "startup", ...}         # POSTed by the add form
        edit_data = {"name_en": "Edited"}              # merged into the edit form's current values
        invalid_data = ({...}, "certification")        # a POST that must fail on that field

    class TestOrganizationAPI(APITestCases.StandardAPITestCase):
        model = Organization
        bulk_objects = make_orgs
        api_create_data = {...}
        api_update_data = {...}

Every data hook may be a plain value, a function without arguments, or a method ``(self)`` (needed
when the data holds ids of records made during the test, e.g. ``def create_data(self): ...``). Hooks
taking the test's records (``filter_cases(self, objects)``, ``search_term(self, obj)``,
``make_private(self)``) are methods.

The tests act as a platform admin (superuser) unless they say otherwise; role-specific rules have their
own tests in ``test_permissions.py``. They assert on what a user sees: status codes, the rows listed
(the row checkboxes carry the primary keys), the count shown, field errors next to their field,
exported rows, and the JSON of the API.
"""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import io
import re
from html import escape, unescape
from html.parser import HTMLParser

import pytest
from django.db import models
from django.urls import reverse
from django.utils import translation
from factories import make_user
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from khooshe.core import jalali
from khooshe.core.generic import get_config
from khooshe.core.text import normalize, persian_digits

# -- reading pages -----------------------------------------------------------------------------------
_ROW_PK = re.compile(r'<input type="checkbox" name="pk" value="(\d+)"')
_TAGS = re.compile(r"<[^>]+>")


class _ElementFinder(HTMLParser):
    """Collects the raw HTML of the first element with a given id (nested elements included)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, element_id: str):
        super().__init__(convert_charrefs=False)
        self.element_id, self.depth, self.start, self.end, self.tag = element_id, 0, None, None, None

    def handle_starttag(self, tag, attrs):
        if self.end is not None:
            return
        if self.start is None:
            if dict(attrs).get("id") == self.element_id:
                self.start, self.tag, self.depth = self.getpos(), tag, 1
                if tag in self.VOID:
                    self.end = self.getpos()
        elif tag == self.tag and tag not in self.VOID:
            self.depth += 1

    def handle_endtag(self, tag):
        if self.start is not None and self.end is None and tag == self.tag:
            self.depth -= 1
            if self.depth == 0:
                self.end = self.getpos()


def element_html(content: str, element_id: str) -> str:
    """The HTML of the element with ``id=element_id`` ("" when there is none)."""
    finder = _ElementFinder(element_id)
    finder.feed(content)
    if finder.start is None or finder.end is None:
        return ""
    lines = content.splitlines(keepends=True)

    def offset(pos):
        line, col = pos
        return sum(len(x) for x in lines[: line - 1]) + col

    return content[offset(finder.start): offset(finder.end)]


def visible_text(content: str) -> str:
    """The text a reader sees: tags removed, entities decoded, white space collapsed."""
    return re.sub(r"\s+", " ", unescape(_TAGS.sub(" ", content))).strip()


def row_pks(content: str) -> list[int]:
    """Primary keys of the rows of a list page, in the order shown (from the bulk-select checkboxes)."""
    return [int(pk) for pk in _ROW_PK.findall(content)]


def page(response) -> str:
    return response.content.decode()


def streamed(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(streamed(response).decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list[str]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(streamed(response)), read_only=True).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def arabic_spelling(text: str) -> str:
    """The same words typed on an Arabic keyboard (ي, ك instead of ی, ک): search must still find them."""
    return text.replace("ی", "ي").replace("ک", "ك")


# -- comparing posted data with what was stored -----------------------------------------------------------
def assert_saved(obj: models.Model, data: dict, *, api: bool = False) -> None:
    """Every value of ``data`` (form POST or API JSON) is what ``obj`` now holds."""
    obj.refresh_from_db()
    for name, value in data.items():
        field = obj._meta.get_field(name)
        if field.many_to_many:
            assert {o.pk for o in getattr(obj, name).all()} == {int(v) for v in value}, name
        elif field.is_relation:
            stored = getattr(obj, field.attname)
            assert stored == (None if value in ("", None) else int(value)), name
        elif isinstance(field, models.DateField):
            expected = dt.date.fromisoformat(value) if api else (jalali.parse_date(value) if value else None)
            assert getattr(obj, name) == expected, name
        elif isinstance(field, models.FloatField | models.IntegerField | models.DecimalField):
            stored = getattr(obj, name)
            assert (stored is None and value in ("", None)) or float(stored) == float(value), name
        elif isinstance(field, models.BooleanField):
            assert getattr(obj, name) == (value in (True, "on", "true", "1")), name
        else:
            assert normalize(str(getattr(obj, name) or "")) == normalize(str(value)), name


def form_values(form) -> dict:
    """The POST data that re-submits a form unchanged (its current values, as its widgets show them)."""
    data = {}
    for name, bound in form.fields.items():
        value = form[name].value()
        widget = bound.widget
        if getattr(widget, "input_type", None) == "file":
            continue
        if getattr(widget, "input_type", None) == "checkbox" and not isinstance(value, list | tuple):
            if value:
                data[name] = "on"
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is None:
            data[name] = ""
        elif isinstance(value, dt.date):
            data[name] = widget.format_value(value)
        else:
            data[name] = str(value)
    return data


# -- the mixins -------------------------------------------------------------------------------------------
@pytest.mark.django_db
class ModelTestCase:
    """Base: the model, its ``ModelConfig`` and the data hooks. The client is logged in as an admin."""

    model: type[models.Model] = None
    bulk_objects = None  # function(n) -> list of n saved, publicly visible records
    anonymous_sees_objects = True  # False: the records of bulk_objects are not public (e.g. user roles)
    number_of_objects = 3

    @pytest.fixture(autouse=True)
    def _actors(self, client):
        self.client = client
        self.admin = make_user(f"admin{self.__class__.__name__.lower()}", superuser=True)
        self.client.force_login(self.admin)
        with translation.override("fa"):
            yield

    # hooks -----------------------------------------------------------------------------------------
    def hook(self, name: str, *args):
        """The value of a data hook: a plain value, a function, or a method of the test class."""
        raw = inspect.getattr_static(self, name, None)
        if isinstance(raw, staticmethod | classmethod):
            return getattr(self, name)(*args)
        if inspect.isfunction(raw):
            params = list(inspect.signature(raw).parameters)
            return raw(self, *args) if params and params[0] == "self" else raw(*args)
        if callable(raw) and not isinstance(raw, type):
            return raw(*args)
        return raw

    def make_objects(self, n: int | None = None) -> list[models.Model]:
        objects = self.hook("bulk_objects", n or self.number_of_objects)
        assert objects, f"{type(self).__name__} needs bulk_objects"
        return objects

    @property
    def config(self):
        return get_config(self.model)

    def url(self, action: str, obj: models.Model | None = None) -> str:
        return self.config.url(action, obj)

    def make_private(self):
        """A record an anonymous visitor must not see (None: the model has no private records)."""
        return None

    def plain_user(self):
        """A logged-in user without any role."""
        return make_user()


class ViewTestCases:
    """Web UI tests; ``PrimaryObjectViewTestCase`` combines all of them."""

    class ListObjectsViewTestCase(ModelTestCase):
        search_term = None  # method (self, obj) -> words that find obj; default: its str()

        def filter_cases(self, objects) -> list[tuple[dict, list]]:
            """(query parameters, records they must select) for the list page, export and API."""
            return []

        def list_page(self, **params):
            response = self.client.get(self.url("list"), params)
            assert response.status_code == 200, params
            return page(response)

        def test_list_shows_rows_and_count(self):
            objects = self.make_objects()
            content = self.list_page()
            visible = set(self.config.visible(self.admin).values_list("pk", flat=True))
            count_text = visible_text(element_html(content, "result-count"))
            assert persian_digits(len(visible)) in count_text, count_text
            # Page through the whole list (reference data may be there too): every record once.
            shown = []
            for number in range(1, len(visible) // 250 + 2):
                shown += row_pks(self.list_page(per_page=250, page=number))
            assert len(shown) == len(set(shown)) == len(visible)
            assert set(shown) == visible and {o.pk for o in objects} <= visible

        def test_list_per_page_and_pages(self):
            objects = self.make_objects()
            total = self.config.visible(self.admin).count()
            if total <= 25:
                extra = self.make_objects(26 - total + 1) if self.number_of_objects else []
                objects += extra
                total = self.config.visible(self.admin).count()
            first = self.list_page(per_page=25)
            second = self.list_page(per_page=25, page=2)
            assert len(row_pks(first)) == 25
            assert len(row_pks(second)) == min(25, total - 25)
            assert not set(row_pks(first)) & set(row_pks(second))

        def test_list_sorts_by_every_sortable_column(self):
            self.make_objects()
            content = self.list_page()
            offered = re.findall(r'<th><a href="\?sort=([\w-]+)', content)
            sort_filter = self.config.filterset_class.base_filters.get("sort")
            sortable = [c.name for c in self.config.columns if c.sortable]
            if sort_filter is None:
                assert not offered
                return
            # Every column that is offered as sortable sorts; a column that cannot sort is no link.
            assert set(offered) <= set(sort_filter.param_map), offered
            queryset = self.config.visible(self.admin)
            total = queryset.count()
            for param in offered:
                path = sort_filter.param_map[param]
                values = dict(queryset.values_list("pk", path))
                expected = list(queryset.order_by(path).values_list(path, flat=True))
                ascending = self.list_page(sort=param)
                descending = self.list_page(sort=f"-{param}")
                assert len(row_pks(ascending)) == min(total, 50), f"sort={param} lost rows"
                assert [values[pk] for pk in row_pks(ascending)] == expected[:50], f"sort={param}"
                assert [values[pk] for pk in row_pks(descending)] == expected[::-1][:50], f"sort=-{param}"
            assert set(offered) >= {c for c in sortable if c in sort_filter.param_map}

        def test_list_search_box(self):
            if "q" not in self.config.filterset_class.base_filters:
                pytest.skip("this list has no search box")
            objects = self.make_objects()
            target = objects[0]
            term = self.hook("search_term", target) if self.search_term else str(target)
            content = self.list_page(q=term)
            assert 'name="q"' in content
            assert target.pk in row_pks(content)
            assert len(row_pks(content)) < self.config.visible(self.admin).count()
            # Typed on an Arabic keyboard (ي/ك), the same words find the same record.
            assert target.pk in row_pks(self.list_page(q=arabic_spelling(term)))

        def test_list_filters(self):
            objects = self.make_objects()
            for params, expected in self.filter_cases(objects):
                shown = row_pks(self.list_page(**params))
                assert set(shown) == {o.pk for o in expected}, params

        def test_export_of_filtered_list(self):
            objects = self.make_objects()
            cases = self.filter_cases(objects) or [({}, list(self.config.visible(self.admin)))]
            params, expected = cases[0]
            response = self.client.get(self.url("export"), {**params, "format": "csv"})
            assert response.status_code == 200
            rows = csv_rows(response)
            assert len(rows) == len(expected) + 1, params  # header + one row per selected record

        def test_export_unknown_format_is_a_clear_400(self):
            response = self.client.get(self.url("export"), {"format": "pdfx"})
            assert response.status_code == 400
            assert "pdfx" in response.content.decode()

    class GetObjectViewTestCase(ModelTestCase):
        def related_records(self, obj) -> None:
            """Make records related to ``obj`` and others not related to it (for the "see all" links)."""

        def test_detail_shows_fields_and_history(self):
            obj = self.make_objects()[0]
            response = self.client.get(self.url("detail", obj))
            assert response.status_code == 200
            content = page(response)
            assert escape(str(obj)) in content
            for column in self.config.detail_field_objects:
                raw = column.raw(obj)
                if raw in (None, "") or isinstance(raw, list | bool | models.Model):
                    continue
                assert escape(column.text(obj, "fa")) in content, column.name
            history = element_html(content, "history")
            assert history, "no change history section"
            assert row_pks(content) == []  # no stray bulk checkboxes on a detail page
            assert "<tbody>" in history, "the creation of the record is not in its history"

        def test_detail_of_missing_record_is_404(self):
            assert self.client.get(reverse(self.config.url_name("detail"), kwargs={"pk": 987654321})).status_code == 404

        def test_related_lists_link_to_filtered_lists(self):
            obj = self.make_objects()[0]
            self.related_records(obj)
            for related in self.config.related_lists:
                rel_config = get_config(related.model)
                response = self.client.get(rel_config.url("list"), {related.lookup: obj.pk})
                assert response.status_code == 200
                expected = set(rel_config.visible(self.admin).filter(**{related.lookup: obj}).values_list(
                    "pk", flat=True))
                assert set(row_pks(page(response))) == expected, f"{related.model.__name__}?{related.lookup}="

        def test_anonymous_cannot_see_private_record(self):
            private = self.make_private()
            if private is None:
                pytest.skip("no private records")
            self.client.logout()
            assert self.client.get(self.url("detail", private)).status_code == 404
            assert private.pk not in row_pks(self.list_page_anonymous())
            csv_text = streamed(self.client.get(self.url("export"), {"format": "csv"})).decode("utf-8-sig")
            assert escape(str(private)) not in csv_text and str(private) not in csv_text

        def list_page_anonymous(self):
            response = self.client.get(self.url("list"), {"per_page": 250})
            assert response.status_code == 200
            return page(response)

    class CreateObjectViewTestCase(ModelTestCase):
        create_data: dict = None
        invalid_data: tuple[dict, str] = None  # (POST data, the field whose error must show)

        def test_create_form(self):
            response = self.client.get(self.url("add"))
            assert response.status_code == 200
            content = page(response)
            for name in self.hook("create_data"):
                assert f'name="{name}"' in content, name

        def test_create_valid(self):
            data = self.hook("create_data")
            before = set(self.model._default_manager.values_list("pk", flat=True))
            response = self.client.post(self.url("add"), data)
            assert response.status_code == 302, getattr(response, "context", None) and response.context[
                "form"].errors
            created = self.model._default_manager.exclude(pk__in=before)
            assert created.count() == 1
            obj = created.get()
            assert response["Location"] == obj.get_absolute_url()
            assert_saved(obj, data)

        def test_create_invalid_shows_the_field_error(self):
            data, field = self.hook("invalid_data")
            count = self.model._default_manager.count()
            response = self.client.post(self.url("add"), data)
            assert response.status_code == 400
            content = page(response)
            errors = response.context["form"].errors
            assert field in errors, errors
            assert f'id="id_{field}_error"' in content  # the message sits next to its field
            for message in errors[field]:
                assert escape(message) in content
            assert self.model._default_manager.count() == count

        def test_anonymous_is_sent_to_login(self):
            self.client.logout()
            response = self.client.get(self.url("add"))
            assert response.status_code == 302 and reverse("login") in response["Location"]
            response = self.client.post(self.url("add"), self.hook("create_data"))
            assert response.status_code == 302 and reverse("login") in response["Location"]

        def test_user_without_role_cannot_add(self):
            self.client.force_login(self.plain_user())
            assert self.client.get(self.url("add")).status_code == 403
            count = self.model._default_manager.count()
            assert self.client.post(self.url("add"), self.hook("create_data")).status_code == 403
            assert self.model._default_manager.count() == count

    class EditObjectViewTestCase(ModelTestCase):
        edit_data: dict = None

        def test_edit(self):
            obj = self.make_objects()[0]
            response = self.client.get(self.url("edit", obj))
            assert response.status_code == 200
            changes = self.hook("edit_data")
            data = {**form_values(response.context["form"]), **changes}
            response = self.client.post(self.url("edit", obj), data)
            assert response.status_code == 302, response.context and response.context["form"].errors
            assert response["Location"] == obj.get_absolute_url()
            assert_saved(obj, changes)

        def test_edit_unchanged_form_is_valid(self):
            obj = self.make_objects()[0]
            form = self.client.get(self.url("edit", obj)).context["form"]
            response = self.client.post(self.url("edit", obj), form_values(form))
            assert response.status_code == 302, response.context and response.context["form"].errors

        def test_user_without_role_cannot_edit(self):
            obj = self.make_objects()[0]
            self.client.force_login(self.plain_user())
            assert self.client.get(self.url("edit", obj)).status_code in (403, 404)
            assert self.client.post(self.url("edit", obj), {}).status_code in (403, 404)

    class DeleteObjectViewTestCase(ModelTestCase):
        def test_delete_asks_then_deletes(self):
            obj = self.make_objects()[0]
            response = self.client.get(self.url("delete", obj))
            assert response.status_code == 200
            assert escape(str(obj)) in page(response)
            assert self.model._default_manager.filter(pk=obj.pk).exists()
            response = self.client.post(self.url("delete", obj))
            assert response.status_code == 302 and response["Location"] == self.url("list")
            assert not self.model._default_manager.filter(pk=obj.pk).exists()

        def test_user_without_role_cannot_delete(self):
            obj = self.make_objects()[0]
            self.client.force_login(self.plain_user())
            assert self.client.post(self.url("delete", obj)).status_code in (403, 404)
            assert self.model._default_manager.filter(pk=obj.pk).exists()

    class BulkDeleteObjectsViewTestCase(ModelTestCase):
        def test_bulk_delete_asks_then_deletes(self):
            objects = self.make_objects()
            pks = [o.pk for o in objects]
            response = self.client.post(self.url("bulk"), {"action": "delete", "pk": pks})
            assert response.status_code == 200  # the confirmation page
            content = page(response)
            for obj in objects:
                assert escape(str(obj)) in content
            assert self.model._default_manager.filter(pk__in=pks).count() == len(pks)
            response = self.client.post(self.url("bulk"), {"action": "delete", "pk": pks, "confirm": "yes"})
            assert response.status_code == 302
            assert not self.model._default_manager.filter(pk__in=pks).exists()

        def test_bulk_delete_by_user_without_role_deletes_nothing(self):
            objects = self.make_objects()
            pks = [o.pk for o in objects]
            self.client.force_login(self.plain_user())
            self.client.post(self.url("bulk"), {"action": "delete", "pk": pks, "confirm": "yes"})
            assert self.model._default_manager.filter(pk__in=pks).count() == len(pks)

    class BulkExportObjectsViewTestCase(ModelTestCase):
        def export_marker(self, obj) -> str:
            """Text that the export row of ``obj`` contains (default: its first export column)."""
            return self.config.export_column_objects[0].text(obj, "fa")

        def test_bulk_export_csv_and_xlsx(self):
            objects = self.make_objects()
            chosen = objects[:2]
            for fmt, reader in (("csv", csv_rows), ("xlsx", xlsx_rows)):
                response = self.client.post(self.url("bulk"), {"action": "export", "format": fmt,
                                                               "pk": [o.pk for o in chosen]})
                assert response.status_code == 200, fmt
                assert f".{fmt}" in response["Content-Disposition"]
                rows = reader(response)
                assert len(rows) == len(chosen) + 1, fmt
                cells = {cell for row in rows[1:] for cell in row}
                for obj in chosen:
                    assert self.hook("export_marker", obj) in cells, (fmt, obj)
                assert self.hook("export_marker", objects[2]) not in cells or len(objects) < 3

    class PrimaryObjectViewTestCase(
        ListObjectsViewTestCase, GetObjectViewTestCase, CreateObjectViewTestCase, EditObjectViewTestCase,
        DeleteObjectViewTestCase, BulkDeleteObjectsViewTestCase, BulkExportObjectsViewTestCase,
    ):
        """Every web UI test of a registered model."""


class APITestCases:
    """REST API tests; ``StandardAPITestCase`` combines all of them."""

    class APITestCase(ModelTestCase):
        api_create_data: dict = None
        api_update_data: dict = None
        api_invalid_data: tuple[dict, str] = None  # (JSON, the field named in the error)

        def api_url(self, obj: models.Model | None = None) -> str:
            name = f"{self.config.app_label}-{self.config.model_name}"
            if obj is None:
                return reverse(f"{name}-list")
            return reverse(f"{name}-detail", kwargs={"pk": obj.pk})

        def token_client(self, user) -> APIClient:
            client = APIClient()
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
            return client

        def filter_cases(self, objects) -> list[tuple[dict, list]]:
            return []

        def result_ids(self, response) -> set[int]:
            assert response.status_code == 200, response.content[:500]
            return {row["id"] for row in response.json()["results"]}

    class ListAPITestCase(APITestCase):
        def test_api_list_is_paginated(self):
            self.make_objects()
            total = self.config.visible(self.admin).count()
            response = self.client.get(self.api_url(), {"page_size": 2})
            assert response.status_code == 200
            body = response.json()
            assert body["count"] == total
            assert len(body["results"]) == 2
            assert body["next"] and "page=2" in body["next"]
            second = self.client.get(self.api_url(), {"page_size": 2, "page": 2}).json()
            assert not {r["id"] for r in body["results"]} & {r["id"] for r in second["results"]}

        def test_api_filters_are_the_list_filters(self):
            objects = self.make_objects()
            for params, expected in self.filter_cases(objects):
                api_ids = self.result_ids(self.client.get(self.api_url(), {**params, "page_size": 1000}))
                assert api_ids == {o.pk for o in expected}, params
                ui = self.client.get(self.url("list"), {**params, "per_page": 250})
                assert set(row_pks(page(ui))) == api_ids, params

        def test_api_bad_filter_value_is_400(self):
            params = {"sort": "no_such_column"} if "sort" in self.config.filterset_class.base_filters else None
            if params is None:
                pytest.skip("no sort parameter")
            response = self.client.get(self.api_url(), params)
            assert response.status_code == 400
            assert "sort" in response.json()

        def test_api_anonymous_reads_public_only(self):
            objects = self.make_objects()
            private = self.make_private()
            self.client.logout()
            ids = self.result_ids(self.client.get(self.api_url(), {"page_size": 1000}))
            if self.anonymous_sees_objects:
                assert {o.pk for o in objects} <= ids
            else:
                assert not {o.pk for o in objects} & ids
            if private is not None:
                assert private.pk not in ids
                assert self.client.get(self.api_url(private)).status_code == 404

    class RetrieveAPITestCase(APITestCase):
        def test_api_retrieve(self):
            obj = self.make_objects()[0]
            response = self.client.get(self.api_url(obj))
            assert response.status_code == 200
            body = response.json()
            assert body["id"] == obj.pk
            serializer = self.config.serializer_class(obj, context={"request": None})
            for key in ("id", *[k for k in serializer.data if not k.endswith("_at")]):
                assert body[key] == serializer.data[key], key

        def test_api_missing_record_is_404(self):
            assert self.client.get(self.api_url() + "987654321/").status_code == 404

    class CreateAPITestCase(APITestCase):
        def test_api_create_with_session(self):
            data = self.hook("api_create_data")
            response = self.client.post(self.api_url(), data, content_type="application/json")
            assert response.status_code == 201, response.json()
            obj = self.model._default_manager.get(pk=response.json()["id"])
            assert_saved(obj, data, api=True)

        def test_api_create_with_token(self):
            data = self.hook("api_create_data")
            response = self.token_client(self.admin).post(self.api_url(), data, format="json")
            assert response.status_code == 201, response.json()
            assert self.model._default_manager.filter(pk=response.json()["id"]).exists()

        def test_api_create_invalid_names_the_field(self):
            data, field = self.hook("api_invalid_data")
            count = self.model._default_manager.count()
            response = self.client.post(self.api_url(), data, content_type="application/json")
            assert response.status_code == 400
            assert field in response.json(), response.json()
            assert self.model._default_manager.count() == count

        def test_api_anonymous_cannot_create(self):
            data = self.hook("api_create_data")
            count = self.model._default_manager.count()
            response = APIClient().post(self.api_url(), data, format="json")
            assert response.status_code in (401, 403)
            assert self.model._default_manager.count() == count

        def test_api_user_without_role_cannot_create(self):
            data = self.hook("api_create_data")
            count = self.model._default_manager.count()
            response = self.token_client(self.plain_user()).post(self.api_url(), data, format="json")
            assert response.status_code == 403
            assert self.model._default_manager.count() == count

    class UpdateAPITestCase(APITestCase):
        def test_api_patch(self):
            obj = self.make_objects()[0]
            data = self.hook("api_update_data")
            response = self.client.patch(self.api_url(obj), data, content_type="application/json")
            assert response.status_code == 200, response.json()
            assert_saved(obj, data, api=True)

        def test_api_patch_with_token(self):
            obj = self.make_objects()[0]
            data = self.hook("api_update_data")
            response = self.token_client(self.admin).patch(self.api_url(obj), data, format="json")
            assert response.status_code == 200, response.json()
            assert_saved(obj, data, api=True)

        def test_api_anonymous_and_user_without_role_cannot_patch(self):
            obj = self.make_objects()[0]
            data = self.hook("api_update_data")
            before = self.config.serializer_class(obj, context={"request": None}).data
            assert APIClient().patch(self.api_url(obj), data, format="json").status_code in (401, 403)
            response = self.token_client(self.plain_user()).patch(self.api_url(obj), data, format="json")
            assert response.status_code in (403, 404)
            obj.refresh_from_db()
            assert self.config.serializer_class(obj, context={"request": None}).data == before

    class DeleteAPITestCase(APITestCase):
        def test_api_delete(self):
            obj = self.make_objects()[0]
            response = self.client.delete(self.api_url(obj))
            assert response.status_code == 204
            assert not self.model._default_manager.filter(pk=obj.pk).exists()

        def test_api_anonymous_and_user_without_role_cannot_delete(self):
            obj = self.make_objects()[0]
            assert APIClient().delete(self.api_url(obj)).status_code in (401, 403)
            assert self.token_client(self.plain_user()).delete(self.api_url(obj)).status_code in (403, 404)
            assert self.model._default_manager.filter(pk=obj.pk).exists()

    class StandardAPITestCase(ListAPITestCase, RetrieveAPITestCase, CreateAPITestCase, UpdateAPITestCase,
                              DeleteAPITestCase):
        """Every REST API test of a registered model."""
