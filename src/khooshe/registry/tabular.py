"""The import/export files of the registry: organizations, people, relations and agreements (see core.tabular).

Keys (how a row finds the record it updates):

- organization: its national ID, else its external ID; a row with neither creates a new organization
  every time (the report warns about it);
- person: the external ID; a person with several roles takes one row per role, with the same person cells;
- relation: the external ID, else (source, target, type) among relations without an external ID; for
  undirected types (partnership, joint project) the order of source and target does not matter;
- agreement: the external ID; a row without one creates a new agreement every time (the report warns).

Organizations are referred to (relation source/target, a person's organization) by national ID, external
ID or exact Persian name. See docs/import-export.md.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from khooshe.core.tabular import (
    CellError,
    ChoiceColumn,
    Column,
    DateColumn,
    EmailColumn,
    FloatColumn,
    ImportContext,
    IntegerColumn,
    M2MColumn,
    Row,
    TabularSpec,
    TextColumn,
    UrlColumn,
    diff,
    fold_cell,
    log_entries,
    normalize_cell,
    token_order,
)
from khooshe.core.text import fold, normalize

from .access import access_for
from .models import (
    UNDIRECTED_TYPES,
    Agreement,
    EmployeeBand,
    Organization,
    Person,
    PersonRole,
    Region,
    Relation,
    Sector,
    Visibility,
)
from .validators import validate_national_id

ISIC = "ISIC4"


# -- columns shared by the files -------------------------------------------------------------------------
class KeyColumn(TextColumn):
    """An external ID: normalized text; numbers from a spreadsheet lose their ".0"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, normalized=True, **kwargs)


class NationalIdColumn(KeyColumn):
    def convert(self, raw, text, ctx):
        value = normalize_cell(text)
        try:
            validate_national_id(value)
        except ValidationError as exc:
            raise CellError(" ".join(exc.messages)) from None
        return super().convert(raw, value, ctx)


class FoundingYearColumn(IntegerColumn):
    def check_range(self, number):
        if 1300 <= number < 1500:  # a Jalali year typed by habit
            raise CellError(_("%(value)s looks like a Jalali year: write the Gregorian year (for %(value)s write "
                              "%(gregorian)s).") % {"value": number, "gregorian": number + 621})
        super().check_range(number)


class EmployeeBandColumn(ChoiceColumn):
    """A band code ("10-49"), or a head count (35 becomes "10-49")."""

    def convert(self, raw, text, ctx):
        digits = normalize_cell(text).replace(",", "")
        if digits.isdigit():
            count = int(digits)
            for code, low, high in ((EmployeeBand.B1_9, 1, 9), (EmployeeBand.B10_49, 10, 49),
                                    (EmployeeBand.B50_99, 50, 99), (EmployeeBand.B100_249, 100, 249),
                                    (EmployeeBand.B250_999, 250, 999), (EmployeeBand.B1000, 1000, 10**9)):
                if low <= count <= high:
                    return str(code)
        return super().convert(raw, text, ctx)


def _sector_token(scheme: str, code: str) -> str:
    return code if scheme == ISIC else f"{scheme}:{code}"


class SectorsColumn(M2MColumn):
    """Sector codes separated by ";": ISIC codes (C, 10, 107, 1071), or SCHEME:code for another list."""


    def prepare(self, ctx):
        if "sectors" in ctx.cache:
            return
        by_token, by_id = {}, {}
        for pk, scheme, code in Sector.objects.values_list("pk", "scheme", "code"):
            token = _sector_token(scheme, code)
            by_id[pk] = token
            by_token[fold(token)] = (pk, token)
            by_token.setdefault(fold(f"{scheme}:{code}"), (pk, token))
        ctx.cache["sectors"] = {"by_token": by_token, "by_id": by_id}

    def canonical(self, part, ctx):
        found = ctx.cache["sectors"]["by_token"].get(fold_cell(part))
        return found[1] if found else None

    def unknown_message(self, parts):
        return _("Unknown sector code %(codes)s: use ISIC codes such as C, 10, 107 or 1071 separated by “;” (in "
                 "Excel, format the column as text so that leading zeros stay).") % {
            "codes": ", ".join(f"“{p}”" for p in parts)}

    def token_of(self, sector):
        return _sector_token(sector.scheme, sector.code)

    def ids_of(self, tokens, ctx):
        by_token = ctx.cache["sectors"]["by_token"]
        return [by_token[fold_cell(token)][0] for token in tokens]

    def tokens_of_ids(self, ids, ctx):
        by_id = ctx.cache["sectors"]["by_id"]
        return tuple(sorted((by_id[pk] for pk in ids), key=token_order))


# Several regions may share a name (Kerman province and Kerman county): the most specific one wins.
_REGION_PRIORITY = {Region.Kind.COUNTY: 0, Region.Kind.OTHER: 1, Region.Kind.PROVINCE: 2, Region.Kind.COUNTRY: 3}


class RegionColumn(Column):
    """A region code (IR-108, IR-1080008) or a region's Persian or English name."""


    def prepare(self, ctx):
        if "regions" in ctx.cache:
            return
        by_code, by_name = {}, defaultdict(list)
        for region in Region.objects.only("id", "code", "kind", "name_fa", "name_en"):
            by_code[region.code.casefold()] = region
            for name in {fold(region.name_fa), fold(region.name_en)} - {""}:
                by_name[name].append(region)
        ctx.cache["regions"] = {"by_code": by_code, "by_name": dict(by_name)}

    def convert(self, raw, text, ctx):
        regions = ctx.cache["regions"]
        region = regions["by_code"].get(normalize_cell(text).casefold())
        if region is not None:
            return region
        candidates = regions["by_name"].get(fold_cell(text), [])
        if candidates:
            best = min(_REGION_PRIORITY.get(r.kind, 1) for r in candidates)
            candidates = [r for r in candidates if _REGION_PRIORITY.get(r.kind, 1) == best]
            if len(candidates) == 1:
                return candidates[0]
            raise CellError(_("“%(value)s” names several regions (%(codes)s): write the code of the one you "
                              "mean.") % {"value": text, "codes": ", ".join(r.code for r in candidates)})
        raise CellError(_("Unknown region “%(value)s”: write a region code such as IR-108 (a province) or "
                          "IR-1080008 (a county), or the region's Persian name.") % {"value": text})

    def read(self, obj):
        region = getattr(obj, self.field_name)
        return region.code if region is not None else None


def organization_reference(org: Organization | None) -> str:
    """How a file names an organization: national ID, else external ID, else Persian name."""
    if org is None:
        return ""
    return org.national_id or org.external_id or org.name_fa


class OrganizationRefColumn(TextColumn):
    """An organization named by national ID, external ID or exact Persian name (resolved per batch)."""


    def __init__(self, *args, **kwargs):
        super().__init__(*args, normalized=True, **kwargs)

    def read(self, obj):
        org = getattr(obj, self.field_name)
        return organization_reference(org) or None

    def convert(self, raw, text, ctx):
        return normalize_cell(text)  # no length limit: it is a reference, not a stored value


_ORG_REF_FIELDS = ("id", "kind", "size_class", "national_id", "external_id", "name_fa", "name_en", "name_key")


def resolve_organizations(references: set[str]) -> dict[str, Organization | str]:
    """Map each reference to its organization, or to a translated reason (unknown, ambiguous). One query."""
    references = {r for r in references if r}
    if not references:
        return {}
    names = {fold(r) for r in references}
    found = Organization.objects.filter(
        Q(national_id__in=references) | Q(external_id__in=references) | Q(name_key__in=names)
    ).only(*_ORG_REF_FIELDS)
    by_nid, by_eid, by_name = {}, {}, defaultdict(list)
    for org in found:
        if org.national_id:
            by_nid[org.national_id] = org
        if org.external_id:
            by_eid[org.external_id] = org
        by_name[org.name_key].append(org)
    result: dict[str, Organization | str] = {}
    for reference in references:
        org = by_nid.get(reference) or by_eid.get(reference)
        if org is None:
            named = by_name.get(fold(reference), [])
            if len(named) == 1:
                org = named[0]
            elif named:
                result[reference] = _("%(count)s organizations are named “%(value)s”: use the national ID or "
                                      "external ID of the one you mean.") % {"count": len(named), "value": reference}
                continue
        result[reference] = org if org is not None else _(
            "No organization has the national ID, external ID or Persian name “%(value)s”: import the "
            "organization first, or correct the reference.") % {"value": reference}
    return result


def _access(ctx: ImportContext):
    """(is_admin, ids of the organizations the user may edit), once per import."""
    if "access" not in ctx.cache:
        if ctx.user is None:
            ctx.cache["access"] = (True, frozenset())
        else:
            acc = access_for(ctx.user)
            ctx.cache["access"] = (acc.is_admin, frozenset() if acc.is_admin else acc.editable_organization_ids())
    return ctx.cache["access"]


def _name(obj) -> str:
    return str(obj)


# -- organizations ----------------------------------------------------------------------------------------
class OrganizationSpec(TabularSpec):
    kind = "organizations"
    model = Organization
    derived_fields = ("name_key", "search_text")
    always_tracked = ("size_class",)
    key_help = gettext_lazy(
        "A row updates the organization with the same national_id; without one, the organization with the "
        "same external_id. A row with neither creates a new organization every time the file is imported "
        "(the report warns about it).")
    columns = [
        NationalIdColumn("national_id", help_text=gettext_lazy("11-digit national ID (key)."),
                         example="10861802874"),
        KeyColumn("external_id", help_text=gettext_lazy("Your own key when there is no national ID."),
                  example="KRM-0001"),
        TextColumn("name_fa", required=True, normalized=True, example="پسته‌کاران رفسنجان"),
        TextColumn("name_en", normalized=True, example="Rafsanjan Pistachio Growers"),
        ChoiceColumn("kind", required=True, example="sme"),
        UrlColumn("website", example="https://example.ir"),
        FoundingYearColumn("founding_year", min_value=1800, max_value=2100,
                           help_text=gettext_lazy("Gregorian year."), example="2015"),
        EmployeeBandColumn("employee_band", help_text=gettext_lazy("A band or a head count."), example="10-49"),
        ChoiceColumn("size_class", help_text=gettext_lazy("Filled from the employee band when empty."),
                     example="small"),
        SectorsColumn("sectors", help_text=gettext_lazy("ISIC codes separated by “;”."), example="A;0125"),
        RegionColumn("region", help_text=gettext_lazy("Region code or Persian name."), example="IR-108"),
        TextColumn("address", example=""),
        FloatColumn("latitude", min_value=-90, max_value=90, example="30.2839"),
        FloatColumn("longitude", min_value=-180, max_value=180, example="57.0834"),
        TextColumn("description"),
        TextColumn("capabilities"),
        SectorsColumn("capability_sectors", example="1079"),
        TextColumn("needs"),
        SectorsColumn("need_sectors", example="2821"),
        ChoiceColumn("tech_level", example="medium_low"),
        ChoiceColumn("certification", example="knowledge_based"),
        DateColumn("certified_from", help_text=gettext_lazy("2024-08-02 or 1403/05/12."), example="1402/01/15"),
        DateColumn("certified_until", example="1405/01/14"),
        ChoiceColumn("visibility", default="public", help_text=gettext_lazy("Empty means public."),
                     example="public"),
    ]

    def prepare(self, ctx):
        _access(ctx)

    def can_import(self, user):
        return user is None or bool(user.is_authenticated and Organization.can_be_created_by(user))

    def export_queryset(self, queryset):
        sectors = Sector.objects.only("id", "scheme", "code")
        return queryset.select_related("region").prefetch_related(
            Prefetch("sectors", queryset=sectors), Prefetch("capability_sectors", queryset=sectors),
            Prefetch("need_sectors", queryset=sectors))

    def check_object(self, org, row, ctx):
        if org.certified_from and org.certified_until and org.certified_until < org.certified_from:
            self.row_error(ctx, row, "certified_until", _("The end of certification must be after its start."))
        if (org.certified_from or org.certified_until) and not org.certification:
            self.row_error(ctx, row, "certification", _("Give the certification these dates belong to."))
        if (org.latitude is None) != (org.longitude is None):
            column = "longitude" if org.longitude is None else "latitude"
            self.row_error(ctx, row, column, _("Give both latitude and longitude, or neither."))

    def process_batch(self, rows, ctx):
        is_admin, editable = _access(ctx)
        has_nid, has_eid = ctx.has("national_id"), ctx.has("external_id")
        for row in rows:  # the same key twice in the file
            for name in ("national_id", "external_id"):
                value = row.values.get(name)
                if value and name not in row.failed:
                    first = ctx.seen_before(name, value, row.number)
                    if first is not None:
                        self.row_error(ctx, row, name, _("Duplicate row: %(column)s “%(value)s” is already on row "
                                                         "%(row)s. Each organization may appear only once.")
                                       % {"column": name, "value": value, "row": first})
        nids = {r.values.get("national_id") for r in rows if "national_id" not in r.failed} - {None, ""}
        eids = {r.values.get("external_id") for r in rows if "external_id" not in r.failed} - {None, ""}
        existing = list(Organization.objects.filter(Q(national_id__in=nids) | Q(external_id__in=eids))
                        .select_related("region")) if nids or eids else []
        by_nid = {o.national_id: o for o in existing if o.national_id}
        by_eid = {o.external_id: o for o in existing if o.external_id}
        plans, keyless = [], []
        for row in rows:
            if row.failed & {"national_id", "external_id"}:
                continue
            nid, eid = row.values.get("national_id"), row.values.get("external_id")
            by_n, by_e = by_nid.get(nid) if nid else None, by_eid.get(eid) if eid else None
            if by_n is not None and by_e is not None and by_n.pk != by_e.pk:
                self.row_error(ctx, row, "external_id", _(
                    "The national ID %(nid)s belongs to “%(a)s” but the external ID %(eid)s to another "
                    "organization, “%(b)s”: correct one of them.") % {
                    "nid": nid, "eid": eid, "a": _name(by_n), "b": _name(by_e)})
                continue
            if by_n is not None and has_eid and eid and by_n.external_id and by_n.external_id != eid:
                self.row_error(ctx, row, "national_id", _(
                    "The national ID %(nid)s belongs to the existing organization “%(name)s”, whose external ID "
                    "is %(existing)s, not %(eid)s: correct the national ID or the external ID.") % {
                    "nid": nid, "name": _name(by_n), "existing": by_n.external_id, "eid": eid})
                continue
            if by_n is None and by_e is not None and nid and by_e.national_id and by_e.national_id != nid:
                self.row_error(ctx, row, "external_id", _(
                    "The external ID %(eid)s belongs to the existing organization “%(name)s”, whose national ID "
                    "is %(existing)s, not %(nid)s: correct the national ID or the external ID.") % {
                    "eid": eid, "name": _name(by_e), "existing": by_e.national_id, "nid": nid})
                continue
            target = by_n or by_e
            if target is not None:
                first = ctx.seen_before("record", target.pk, row.number)
                if first is not None:
                    self.row_error(ctx, row, "national_id" if by_n else "external_id", _(
                        "Row %(row)s already updates the organization “%(name)s”: each organization may "
                        "appear only once.") % {"row": first, "name": _name(target)})
                    continue
                if not is_admin and target.pk not in editable:
                    self.row_error(ctx, row, "national_id" if by_n else "external_id", _(
                        "You may not change the existing organization “%(name)s”: only its members, its hub "
                        "and the staff of its clusters may.") % {"name": _name(target)})
                    continue
            elif not nid and not eid:
                keyless.append(row)
                ctx.warn_rows("keyless", row.number, _(
                    "%(count)s rows have neither national_id nor external_id (rows %(rows)s): they create new "
                    "organizations every time this file is imported. Give them an external_id to update "
                    "them on the next import.") if has_nid or has_eid else _(
                    "The file has neither a national_id nor an external_id column: its %(count)s rows (rows "
                    "%(rows)s) create new organizations every time it is imported."))
            if not row.failed:
                plans.append((row, target))
        self._warn_same_names(keyless, ctx)
        for column in self.tracked_columns(ctx):
            if column.is_m2m:
                column.load([obj for _row, obj in plans if obj is not None], ctx)
        creates, updates = self.build(plans, ctx)
        if ctx.may_write:
            self.write(creates, updates, ctx)

    def _warn_same_names(self, rows: list[Row], ctx):
        names = defaultdict(list)
        for row in rows:
            if row.values.get("name_fa"):
                names[fold(row.values["name_fa"])].append(row.number)
        if not names:
            return
        taken = set(Organization.objects.filter(name_key__in=list(names)).values_list("name_key", flat=True))
        for number in sorted(n for name_key in taken for n in names[name_key]):
            ctx.warn_rows("same_name", number, _(
                "%(count)s rows without national_id or external_id have the name of an existing organization "
                "(rows %(rows)s): each creates a second organization with that name."))


# -- people -----------------------------------------------------------------------------------------------
_ROLE_COLUMNS = ("organization", "role", "title", "role_start_date", "role_end_date")


class PersonSpec(TabularSpec):
    kind = "people"
    model = Person
    derived_fields = ("search_text", "first_name_fa", "last_name_fa")
    key_help = gettext_lazy(
        "A row updates the person with the same external_id; a row without one creates a new person every "
        "time. A person with several roles takes one row per role, with the same person cells. Roles in the "
        "file are added or updated; other roles of the person are kept.")
    columns = [
        KeyColumn("external_id", help_text=gettext_lazy("Your key for this person."), example="P-0001"),
        TextColumn("first_name_fa", required=True, normalized=True, example="مریم"),
        TextColumn("last_name_fa", required=True, normalized=True, example="احمدی"),
        TextColumn("full_name_en", normalized=True, example="Maryam Ahmadi"),
        ChoiceColumn("kind", default="other", example="mentor"),
        EmailColumn("email", example="m.ahmadi@example.ir"),
        TextColumn("phone", example="0343 123 4567"),
        RegionColumn("region", example="IR-108"),
        TextColumn("expertise"),
        SectorsColumn("expertise_sectors", example="1079"),
        ChoiceColumn("visibility", default="public", example="public"),
        OrganizationRefColumn("organization", field=None,
                              help_text=gettext_lazy("National ID, external ID or Persian name."),
                              model_field=PersonRole._meta.get_field("organization"), example="10861802874"),
        ChoiceColumn("role", field=None, model_field=PersonRole._meta.get_field("role"), example="ceo"),
        TextColumn("title", field=None, model_field=PersonRole._meta.get_field("title"), example="مدیرعامل"),
        DateColumn("role_start_date", field=None, model_field=PersonRole._meta.get_field("start_date"),
                   example="1399/07/01"),
        DateColumn("role_end_date", field=None, model_field=PersonRole._meta.get_field("end_date")),
    ]
    role_columns = [c for c in columns if c.name in _ROLE_COLUMNS]

    def prepare(self, ctx):
        _access(ctx)

    def can_import(self, user):
        return user is None or bool(user.is_authenticated and Person.can_be_created_by(user))

    def prepare_object(self, person, ctx):
        # Person.save() normalizes and refreshes the search text; bulk writes skip save().
        person.first_name_fa, person.last_name_fa = normalize(person.first_name_fa), normalize(person.last_name_fa)
        person.external_id = normalize(person.external_id) or None  # the search text: finish_object()

    def export_queryset(self, queryset):
        roles = PersonRole.objects.select_related("organization").only(
            "id", "person_id", "role", "title", "start_date", "end_date", *(f"organization__{f}" for f in _ORG_REF_FIELDS)
        ).order_by("pk")
        return queryset.select_related("region").prefetch_related(
            Prefetch("roles", queryset=roles),
            Prefetch("expertise_sectors", queryset=Sector.objects.only("id", "scheme", "code")))

    def export_records(self, queryset):
        person_columns = [c for c in self.columns if c.field_name]
        for person in self.export_queryset(queryset).iterator(chunk_size=2000):
            cells = [c.to_cell(c.read(person)) for c in person_columns]
            roles = list(person.roles.all())
            if not roles:
                yield cells + [""] * len(self.role_columns)
            for role in roles:
                yield cells + [organization_reference(role.organization), role.role, role.title,
                               role.start_date.isoformat() if role.start_date else "",
                               role.end_date.isoformat() if role.end_date else ""]

    def check_row(self, row, ctx):
        values = row.values
        if "organization" in row.failed or "role" in row.failed:
            return
        if values.get("organization") and not values.get("role") and ctx.has("organization"):
            self.row_error(ctx, row, "role", _("Give the role of this person in the organization, such as ceo or "
                                               "founder."))
        elif values.get("role") and not values.get("organization"):
            self.row_error(ctx, row, "organization", _("Give the organization this role belongs to (national ID, "
                                                       "external ID or Persian name)."))
        start, end = values.get("role_start_date"), values.get("role_end_date")
        if start and end and end < start:
            self.row_error(ctx, row, "role_end_date", _("The end date must be after the start date."))

    def process_batch(self, rows, ctx):
        is_admin, editable = _access(ctx)
        person_columns = [c for c in ctx.columns if c.field_name]
        # Rows of one person: the first row carries the person, the later ones only add roles.
        first_rows: dict[str, Row] = {}
        for row in rows:
            eid = row.values.get("external_id")
            if "external_id" in row.failed:
                continue
            if eid:
                signature = tuple(row.values.get(c.name) for c in person_columns)
                seen = ctx.seen.setdefault("person", {})
                if eid not in seen:
                    seen[eid] = (row.number, signature)
                    first_rows[eid] = row
                elif seen[eid][1] != signature:
                    column = next(c.name for c, a, b in zip(person_columns, signature, seen[eid][1], strict=True)
                                  if a != b)
                    self.row_error(ctx, row, column, _(
                        "The person with external ID “%(eid)s” is also on row %(row)s with a different %(column)s: "
                        "a person's cells must be the same on each of their rows.") % {
                        "eid": eid, "row": seen[eid][0], "column": column})
            else:
                ctx.warn_rows("keyless", row.number, _(
                    "%(count)s rows have no external_id (rows %(rows)s): they create new people every time this "
                    "file is imported. Give them an external_id to update them on the next import."))
            organization, role = row.values.get("organization"), row.values.get("role")
            if organization and role:
                first = ctx.seen_before("role", (eid or row.number, fold(organization), role), row.number)
                if first is not None:
                    self.row_error(ctx, row, "role", _("Duplicate row: row %(row)s already gives this person this "
                                                       "role in this organization.") % {"row": first})
        # The organizations of the roles, the existing people and their roles: one query each.
        orgs = resolve_organizations({r.values.get("organization") for r in rows} - {None, ""})
        for row in rows:
            reference = row.values.get("organization")
            if not reference or "organization" in row.failed:
                continue
            org = orgs.get(reference)
            if isinstance(org, str):
                self.row_error(ctx, row, "organization", org)
            elif not is_admin and org.pk not in editable:
                self.row_error(ctx, row, "organization", _(
                    "You may not add people to “%(name)s”: only its members, its hub and the staff of its "
                    "clusters may.") % {"name": _name(org)})
            else:
                row.values["organization"] = org
        eids = {r.values.get("external_id") for r in rows if "external_id" not in r.failed} - {None, ""}
        existing = {p.external_id: p for p in Person.objects.filter(external_id__in=eids).select_related("region")}
        roles_by_person: dict[int, list[PersonRole]] = defaultdict(list)
        for role in PersonRole.objects.filter(person_id__in=[p.pk for p in existing.values()]) if existing else ():
            roles_by_person[role.person_id].append(role)
        plans = []
        for row in rows:
            eid = row.values.get("external_id")
            if eid and first_rows.get(eid) is not row:
                continue  # a further role of a person whose first row is checked
            person = existing.get(eid) if eid else None
            if person is not None and not is_admin:
                own = person.user_id is not None and person.user_id == getattr(ctx.user, "pk", None)
                if not own and not ({r.organization_id for r in roles_by_person[person.pk]} & editable):
                    self.row_error(ctx, row, "external_id", _(
                        "You may not change the existing person “%(name)s”: they have no role in an "
                        "organization you manage.") % {"name": _name(person)})
                    continue
            if not row.failed:
                plans.append((row, person))
        for column in self.tracked_columns(ctx):
            if column.is_m2m:
                column.load([obj for _row, obj in plans if obj is not None], ctx)
        creates, updates = self.build(plans, ctx)
        if ctx.may_write:
            self.write(creates, updates, ctx)
        # The person of every row: its own record, the batch's first row of that person, or the database.
        for row in rows:
            eid = row.values.get("external_id")
            if row.record is None and eid:
                first = first_rows.get(eid)
                row.record = first.record if first is not None else existing.get(eid)
        self.roles(rows, roles_by_person, ctx)

    def roles(self, rows: list[Row], roles_by_person: dict, ctx: ImportContext) -> None:
        """Add or update the role of each row (a person has a role in an organization once)."""
        from auditlog.models import LogEntry

        if not ctx.has("organization"):
            return
        fields = [c.model_field.name for c in self.role_columns
                  if ctx.has(c.name) and c.name not in ("organization", "role")]
        creates, updates = [], []
        for row in rows:
            org, person = row.values.get("organization"), row.record
            if row.failed or not isinstance(org, Organization):
                continue
            values = {"title": row.values.get("title", ""), "start_date": row.values.get("role_start_date"),
                      "end_date": row.values.get("role_end_date")}
            current = None
            if person is not None and person.pk is not None:
                current = next((r for r in roles_by_person[person.pk]
                                if r.organization_id == org.pk and r.role == row.values["role"]), None)
            if current is None:
                creates.append(PersonRole(person=person, organization=org, role=row.values["role"],
                                          **{name: values[name] for name in fields}))
                continue
            before = {name: getattr(current, name) for name in fields}
            for name in fields:
                setattr(current, name, values[name])
            changed = diff(before, {name: getattr(current, name) for name in fields})
            if changed:
                updates.append((current, before, changed))
        details = ctx.report.details
        details["roles_created"] = details.get("roles_created", 0) + len(creates)
        details["roles_updated"] = details.get("roles_updated", 0) + len(updates)
        if not ctx.may_write:
            return
        for role in creates:  # the person may have got its pk (bulk_create) after the role was built
            role.person = role.person
        PersonRole.objects.bulk_create(creates, batch_size=self.batch_size)
        if updates:
            for role, *_rest in updates:
                role.updated_at = ctx.now
            PersonRole.objects.bulk_update([role for role, *_rest in updates], [*fields, "updated_at"],
                                           batch_size=self.batch_size)

        def text(value):
            return "None" if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)

        items = [(role, LogEntry.Action.CREATE,
                  {"organization": ("None", str(role.organization)), "role": ("None", role.role)}
                  | {name: ("None", text(getattr(role, name))) for name in fields if getattr(role, name)})
                 for role in creates]
        items += [(role, LogEntry.Action.UPDATE,
                   {name: (text(before[name]), text(getattr(role, name))) for name in changed})
                  for role, before, changed in updates]
        log_entries(ctx, PersonRole, items)


# -- relations --------------------------------------------------------------------------------------------
class RelationSpec(TabularSpec):
    kind = "relations"
    model = Relation
    derived_fields = ("directed", "classification")
    key_help = gettext_lazy(
        "A row updates the relation with the same external_id; without one, the relation of the same type "
        "between the same two organizations (that has no external_id). Organizations are named by national "
        "ID, external ID or exact Persian name and must already exist: import organizations first.")
    columns = [
        KeyColumn("external_id", help_text=gettext_lazy("Your key for this relation."), example="R-0001"),
        OrganizationRefColumn("source", required=True,
                              help_text=gettext_lazy("National ID, external ID or Persian name."),
                              example="10861802874"),
        OrganizationRefColumn("target", required=True, example="KRM-0001"),
        ChoiceColumn("type", required=True, example="supply"),
        IntegerColumn("strength", min_value=1, max_value=5, default=3,
                      help_text=gettext_lazy("1 (weak) to 5 (strong); empty means 3."), example="4"),
        DateColumn("start_date", example="1401/03/01"),
        DateColumn("end_date"),
        ChoiceColumn("origin", default="declared", example="survey"),
        TextColumn("note"),
    ]

    def prepare(self, ctx):
        _access(ctx)

    def can_import(self, user):
        return user is None or bool(user.is_authenticated and Relation.can_be_created_by(user))

    def export_queryset(self, queryset):
        return queryset.select_related("source", "target").only(
            "id", "external_id", "type", "strength", "start_date", "end_date", "origin", "note", "agreement_id",
            *(f"source__{f}" for f in _ORG_REF_FIELDS), *(f"target__{f}" for f in _ORG_REF_FIELDS))

    def check_object(self, relation, row, ctx):
        if relation.start_date and relation.end_date and relation.end_date < relation.start_date:
            self.row_error(ctx, row, "end_date", _("The end date must be after the start date."))
        if relation.origin == Relation.Origin.AGREEMENT and not relation.agreement_id:
            self.row_error(ctx, row, "origin", _(
                "Relations that come from an agreement are added on the agreement's page: write declared or "
                "survey."))

    @staticmethod
    def pair_key(source_id, target_id, kind):
        if kind in UNDIRECTED_TYPES:
            source_id, target_id = sorted((source_id, target_id))
        return source_id, target_id, kind

    def process_batch(self, rows, ctx):
        is_admin, editable = _access(ctx)
        orgs = resolve_organizations({r.values.get(n) for r in rows for n in ("source", "target")} - {None})
        for row in rows:
            for name in ("source", "target"):
                reference = row.values.get(name)
                if reference and name not in row.failed:
                    org = orgs.get(reference)
                    if isinstance(org, str):
                        self.row_error(ctx, row, name, org)
                    else:
                        row.values[name] = org
            source, target = row.values.get("source"), row.values.get("target")
            if isinstance(source, Organization) and isinstance(target, Organization) and source.pk == target.pk:
                self.row_error(ctx, row, "target", _(
                    "A relation needs two different organizations: source and target are both “%(name)s”.")
                               % {"name": _name(source)})
        # Keys, and the same relation twice in the file.
        keys = {}
        for row in rows:
            eid = row.values.get("external_id")
            if "external_id" in row.failed:
                continue
            source, target, kind = row.values.get("source"), row.values.get("target"), row.values.get("type")
            pair = None
            if isinstance(source, Organization) and isinstance(target, Organization) and kind:
                pair = self.pair_key(source.pk, target.pk, kind)
            keys[row.number] = (eid, pair)
            if eid:
                first = ctx.seen_before("external_id", eid, row.number)
                if first is not None:
                    self.row_error(ctx, row, "external_id", _("Duplicate row: external_id “%(value)s” is already on "
                                                              "row %(row)s.") % {"value": eid, "row": first})
            elif pair is not None:
                first = ctx.seen_before("pair", pair, row.number)
                if first is not None:
                    self.row_error(ctx, row, "type", _(
                        "Duplicate row: row %(row)s already has a relation of this type between these two "
                        "organizations. Give each an external_id if they are different relations.")
                                   % {"row": first})
        eids = {eid for eid, _pair in keys.values() if eid}
        org_ids = {pk for _eid, pair in keys.values() if pair for pk in pair[:2]}
        existing = list(Relation.objects.filter(
            Q(external_id__in=eids) | Q(source_id__in=org_ids, target_id__in=org_ids, external_id__isnull=True)
        ).select_related("source", "target").order_by("pk")) if eids or org_ids else []
        by_eid = {r.external_id: r for r in existing if r.external_id}
        by_pair: dict[tuple, list[Relation]] = defaultdict(list)
        for relation in existing:
            if relation.external_id is None:
                by_pair[self.pair_key(relation.source_id, relation.target_id, relation.type)].append(relation)
        plans = []
        for row in rows:
            if row.number not in keys:
                continue
            eid, pair = keys[row.number]
            relation = by_eid.get(eid) if eid else None
            if relation is None and pair is not None:
                candidates = by_pair.get(pair, [])
                relation = candidates[0] if candidates else None
                if len(candidates) > 1:
                    ctx.warn_rows("ambiguous", row.number, _(
                        "%(count)s rows match several existing relations of the same type between the same two "
                        "organizations (rows %(rows)s): the oldest one is updated. Give relations an external_id "
                        "to tell them apart."))
            if relation is not None:
                source, target = row.values.get("source"), row.values.get("target")
                if (relation.type in UNDIRECTED_TYPES and row.values.get("type") in UNDIRECTED_TYPES
                        and getattr(source, "pk", None) == relation.target_id
                        and getattr(target, "pk", None) == relation.source_id):
                    # No direction: the same relation written the other way round is unchanged.
                    row.values["source"], row.values["target"] = target, source
                first = ctx.seen_before("record", relation.pk, row.number)
                if first is not None:
                    self.row_error(ctx, row, "external_id", _("Row %(row)s already updates this relation.")
                                   % {"row": first})
                    continue
            involved = {o.pk for o in (row.values.get("source"), row.values.get("target"))
                        if isinstance(o, Organization)}
            if relation is not None:
                involved_before = {relation.source_id, relation.target_id}
                if not is_admin and not (involved_before & editable and involved & editable):
                    self.row_error(ctx, row, "source", _(
                        "You may not change the relation “%(name)s”: neither organization is one you manage.")
                                   % {"name": _name(relation)})
                    continue
            elif not is_admin and involved and not (involved & editable):
                self.row_error(ctx, row, "source", _(
                    "You may not add a relation between organizations you do not manage: the source or the "
                    "target must be one of yours."))
                continue
            if not row.failed:
                plans.append((row, relation))
        creates, updates = self.build(plans, ctx)
        if ctx.may_write:
            self.write(creates, updates, ctx)


# -- agreements -------------------------------------------------------------------------------------------
class PartiesColumn(M2MColumn):
    """Organizations named by national ID, external ID or exact Persian name, separated by ";".

    A cell is split and normalized when it is read; the references are resolved per batch (one query) in
    ``AgreementSpec.process_batch``, which rewrites each to the organization's canonical reference (its
    national ID, else external ID, else Persian name) so that a file naming a party by name and the stored
    agreement compare equal.
    """

    separators = (";", "؛")  # not the comma: organization names contain commas

    def prepare(self, ctx):
        ctx.cache.setdefault("parties", {"by_ref": {}, "by_id": {}})

    def canonical(self, part, ctx):
        return normalize_cell(part)

    def remember(self, org, ctx) -> str:
        reference = organization_reference(org)
        cache = ctx.cache["parties"]
        cache["by_ref"][reference] = org.pk
        cache["by_id"][org.pk] = reference
        return reference

    def token_of(self, org):
        return organization_reference(org)

    def ids_of(self, tokens, ctx):
        by_ref = ctx.cache["parties"]["by_ref"]
        return [by_ref[token] for token in tokens]

    def load(self, objs, ctx):
        through, own, other = self.through()
        ids = set(through.objects.filter(**{f"{own.attname}__in": [o.pk for o in objs]})
                  .values_list(other.attname, flat=True)) if objs else set()
        missing = ids - set(ctx.cache["parties"]["by_id"])
        for org in Organization.objects.filter(pk__in=missing).only(*_ORG_REF_FIELDS):
            self.remember(org, ctx)
        super().load(objs, ctx)

    def tokens_of_ids(self, ids, ctx):
        by_id = ctx.cache["parties"]["by_id"]
        return tuple(sorted({by_id[pk] for pk in ids}, key=token_order))


class AgreementSpec(TabularSpec):
    kind = "agreements"
    model = Agreement
    derived_fields = ("search_text",)
    key_help = gettext_lazy(
        "A row updates the agreement with the same external_id; a row without one creates a new agreement "
        "every time the file is imported. Parties are organizations named by national ID, external ID or exact "
        "Persian name, separated by “;”; they must already exist: import organizations first.")
    columns = [
        KeyColumn("external_id", help_text=gettext_lazy("Your key for this agreement."), example="AGR-0001"),
        TextColumn("title", required=True, normalized=True, example="تفاهم‌نامه همکاری فرآوری پسته"),
        ChoiceColumn("kind", default=Agreement.Kind.MOU, help_text=gettext_lazy("Empty means mou."),
                     example="consortium"),
        PartiesColumn("parties", required=True, help_text=gettext_lazy(
            "At least two organizations (national ID, external ID or Persian name) separated by “;”."),
                      example="10861802874;KRM-0001"),
        TextColumn("subject"),
        DateColumn("signed_on", help_text=gettext_lazy("2024-08-02 or 1403/05/12."), example="1402/06/01"),
        DateColumn("start_date", example="1402/07/01"),
        DateColumn("end_date", example="1404/06/31"),
        ChoiceColumn("visibility", default=Visibility.PRIVATE, help_text=gettext_lazy("Empty means private."),
                     example="public"),
    ]

    def prepare(self, ctx):
        _access(ctx)

    def can_import(self, user):
        return user is None or bool(user.is_authenticated and Agreement.can_be_created_by(user))

    def export_queryset(self, queryset):
        return queryset.prefetch_related("parties")  # the list page may have prefetched them already

    def check_row(self, row, ctx):
        start, end = row.values.get("start_date"), row.values.get("end_date")
        if start and end and end < start:
            self.row_error(ctx, row, "end_date", _("The end date must be after the start date."))

    def check_object(self, agreement, row, ctx):  # one date in the file, the other already stored
        if (agreement.start_date and agreement.end_date and agreement.end_date < agreement.start_date
                and "end_date" not in row.failed):
            self.row_error(ctx, row, "end_date", _("The end date must be after the start date."))

    def _resolve_parties(self, rows, ctx):
        """Resolve every party of the batch in one query; report unknown or ambiguous names per row."""
        column = self.column("parties")
        references = {ref for row in rows if "parties" not in row.failed for ref in row.values.get("parties", ())}
        orgs = resolve_organizations(references)
        for row in rows:
            if "parties" in row.failed or "parties" not in row.values:
                continue
            problems, canonical = [], set()
            for reference in row.values["parties"]:
                org = orgs.get(reference)
                if isinstance(org, Organization):
                    canonical.add(column.remember(org, ctx))
                else:
                    problems.append(org)
            if problems:
                self.row_error(ctx, row, "parties", " ".join(problems))
            elif len(canonical) < 2:
                self.row_error(ctx, row, "parties", _(
                    "An agreement needs at least two different parties: name them separated by “;”."))
            else:
                row.values["parties"] = tuple(sorted(canonical, key=token_order))

    def process_batch(self, rows, ctx):
        is_admin, editable = _access(ctx)
        self._resolve_parties(rows, ctx)
        org_id_of = ctx.cache["parties"]["by_ref"]
        has_eid = ctx.has("external_id")
        eids = set()
        for row in rows:
            eid = row.values.get("external_id")
            if eid and "external_id" not in row.failed:
                first = ctx.seen_before("external_id", eid, row.number)
                if first is not None:
                    self.row_error(ctx, row, "external_id", _("Duplicate row: external_id “%(value)s” is already "
                                                              "on row %(row)s.") % {"value": eid, "row": first})
                else:
                    eids.add(eid)
        existing = {a.external_id: a for a in Agreement.objects.filter(external_id__in=eids)} if eids else {}
        if existing and not is_admin:
            through = Agreement.parties.through
            current = defaultdict(set)
            for agreement_id, org_id in through.objects.filter(
                    agreement_id__in=[a.pk for a in existing.values()]).values_list("agreement_id",
                                                                                     "organization_id"):
                current[agreement_id].add(org_id)
        plans = []
        for row in rows:
            if row.failed & {"external_id", "parties"}:
                continue
            eid = row.values.get("external_id")
            agreement = existing.get(eid) if eid else None
            party_ids = {org_id_of[ref] for ref in row.values.get("parties", ())}
            if not is_admin:
                if agreement is not None and not current[agreement.pk] & editable:
                    self.row_error(ctx, row, "external_id", _(
                        "You may not change the agreement “%(name)s”: none of its parties is an organization "
                        "you manage.") % {"name": _name(agreement)})
                    continue
                if party_ids and not party_ids & editable:
                    self.row_error(ctx, row, "parties", _(
                        "One of the parties must be an organization you manage."))
                    continue
            if agreement is None and not eid:
                ctx.warn_rows("keyless", row.number, _(
                    "%(count)s rows have no external_id (rows %(rows)s): they create new agreements every time "
                    "this file is imported. Give them an external_id to update them on the next import.")
                              if has_eid else _(
                    "The file has no external_id column: its %(count)s rows (rows %(rows)s) create new "
                    "agreements every time it is imported."))
            if not row.failed:
                plans.append((row, agreement))
        self.column("parties").load([obj for _row, obj in plans if obj is not None], ctx)
        creates, updates = self.build(plans, ctx)
        if ctx.may_write:
            self.write(creates, updates, ctx)


ORGANIZATIONS = OrganizationSpec()
PEOPLE = PersonSpec()
RELATIONS = RelationSpec()
AGREEMENTS = AgreementSpec()
