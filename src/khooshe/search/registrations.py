"""The search documents of the platform's models (imported by ``documents._ensure_registered``).

Texts go to ``name`` (boost 3), ``capabilities`` (2), ``description`` (1) and ``other`` (1, never shown
in a snippet: e-mail addresses, national ids, file names). Partnering profiles are anonymous: their
document has no word of the owner organization and no owner filter.
"""

from __future__ import annotations

from khooshe.search.documents import SearchDocument, register_document


def _join(*parts) -> str:
    return " ".join(p for p in parts if p)


def _region_chain(region) -> list[int]:
    """The region and all its ancestors (so a province finds its counties' records)."""
    out, seen = [], set()
    while region is not None and region.pk not in seen:
        seen.add(region.pk)
        out.append(region.pk)
        region = region.parent
    return out


def organization_texts(org) -> dict:
    return {"name": _join(org.name_fa, org.name_en), "capabilities": org.capabilities,
            "description": org.description, "other": org.national_id}


def organization_filters(org) -> dict:
    sectors = {s.pk for s in org.sectors.all()} | {s.pk for s in org.capability_sectors.all()}
    return {"kind": org.kind, "region": _region_chain(org.region), "sector": sorted(sectors)}


ORGANIZATION = register_document(SearchDocument(
    model="registry.Organization", slug="organizations", texts=organization_texts, filters=organization_filters,
    filter_fields=("kind", "region", "sector"), select_related=("region__parent__parent__parent",),
    # A province's GeoJSON boundary is large: decoding it for every organization made indexing 40 ms slower each.
    defer=tuple("region__" + "parent__" * depth + "boundary" for depth in range(4)),
    prefetch_related=("sectors", "capability_sectors"), watch_m2m=("sectors", "capability_sectors"), dense=True))

PERSON = register_document(SearchDocument(
    model="registry.Person", slug="people",
    texts=lambda p: {"name": _join(p.first_name_fa, p.last_name_fa, p.full_name_en), "capabilities": p.expertise,
                     "other": p.email},
    filters=lambda p: {"kind": p.kind}, filter_fields=("kind",)))

CLUSTER = register_document(SearchDocument(
    model="registry.Cluster", slug="clusters",
    texts=lambda c: {"name": _join(c.name_fa, c.name_en), "description": c.description},
    filters=lambda c: {"type": c.type}, filter_fields=("type",)))

AGREEMENT = register_document(SearchDocument(
    model="registry.Agreement", slug="agreements",
    texts=lambda a: {"name": a.title, "description": a.subject},
    filters=lambda a: {"kind": a.kind}, filter_fields=("kind",)))

CHALLENGE = register_document(SearchDocument(
    model="matching.Challenge", slug="challenges",
    texts=lambda c: {"name": c.title, "capabilities": c.problem_statement,
                     "description": _join(c.background, c.constraints, c.success_criteria)},
    filters=lambda c: {"status": c.status, "sector": sorted(s.pk for s in c.sectors.all())},
    filter_fields=("status", "sector"), prefetch_related=("sectors",), watch_m2m=("sectors",)))

PROFILE = register_document(SearchDocument(  # anonymous: nothing of the owner
    model="matching.Profile", slug="profiles",
    texts=lambda p: {"name": p.title, "capabilities": _join(p.technology_description, p.advantages),
                     "description": p.summary},
    filters=lambda p: {"kind": p.kind}, filter_fields=("kind",)))

PROPOSAL = register_document(SearchDocument(
    model="matching.Proposal", slug="proposals",
    texts=lambda p: {"name": p.summary, "capabilities": p.approach, "description": p.team},
    filters=lambda p: {"status": p.status}, filter_fields=("status",)))

CRITERION = register_document(SearchDocument(
    model="matching.Criterion", slug="criteria", texts=lambda c: {"name": c.name}))

DATASET = register_document(SearchDocument(
    model="insights.Dataset", slug="datasets",
    texts=lambda d: {"name": d.name, "description": d.description, "other": d.original_name},
    filters=lambda d: {"source": d.source}, filter_fields=("source",)))
