"""Django side of search: registry organizations as documents of one ``SearchIndex``.

* The index lives in ``settings.KHOOSHE_SEARCH_DIR`` (default ``DATA_DIR / "search" / "organizations"``).
* A document per organization: ``name`` (Persian + English name), ``capabilities``, ``description``;
  filters ``kind``, ``region`` (the region and all its ancestors, so a province finds its counties),
  ``sector`` (sectors and capability sectors).
* ``connect()`` hooks ``post_save``/``post_delete``/``m2m_changed``; the index is updated after the
  transaction commits (``transaction.on_commit``), never for a rolled-back change. Bulk writes (imports,
  the demo) send no signals: call ``index_organizations(ids)`` after them, or ``reindex()``.
* ``reindex(progress=callback)`` rebuilds the whole index (``khooshe reindex``).
* ``search_organizations(query, user=..., ...)`` is what list pages and matching call: results restricted
  to the organizations the user may see.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext as _

from khooshe.search.index import (
    MAX_QUERY_CHARS,
    NOTICE_BM25_ONLY,
    NOTICE_EMPTY,
    NOTICE_TRUNCATED,
    SearchIndex,
    SearchResults,
)

log = logging.getLogger(__name__)
_indexes: dict[Path, SearchIndex] = {}
_lock = threading.Lock()


def index_path() -> Path:
    configured = getattr(settings, "KHOOSHE_SEARCH_DIR", None)
    base = Path(configured) if configured else Path(settings.DATA_DIR) / "search"
    return base / "organizations"


def dense_setting() -> bool | str:
    """``KHOOSHE_SEARCH_DENSE``: "auto" (default: use the model when installed), True or False."""
    return getattr(settings, "KHOOSHE_SEARCH_DENSE", "auto")


def get_index() -> SearchIndex:
    path = index_path()
    with _lock:
        if path not in _indexes:
            _indexes[path] = SearchIndex(path, dense=dense_setting())
        return _indexes[path]


def organization_document(org) -> tuple[dict, dict]:
    """(texts, filters) of one organization."""
    texts = {"name": " ".join(p for p in (org.name_fa, org.name_en) if p),
             "capabilities": org.capabilities, "description": org.description}
    regions = []
    region = org.region
    seen = set()
    while region is not None and region.pk not in seen:
        seen.add(region.pk)
        regions.append(region.pk)
        region = region.parent
    sectors = {s.pk for s in org.sectors.all()} | {s.pk for s in org.capability_sectors.all()}
    return texts, {"kind": org.kind, "region": regions, "sector": sorted(sectors)}


def _queryset():
    from khooshe.registry.models import Organization

    return (Organization.objects.select_related("region__parent__parent__parent")
            .prefetch_related("sectors", "capability_sectors"))


def index_organizations(ids: Iterable[int]) -> int:
    """(Re)index the given organizations; ids no longer in the database are removed. Returns the count."""
    ids = {int(i) for i in ids}
    if not ids:
        return 0
    ix = get_index()
    found = set()
    for org in _queryset().filter(pk__in=ids).iterator(chunk_size=500):
        texts, filters = organization_document(org)
        ix.add(org.pk, texts, filters)
        found.add(org.pk)
    for missing in ids - found:
        ix.delete(missing)
    ix.commit()
    return len(ids)


def reindex(progress: Callable[[int, int], None] | None = None, batch: int = 1000) -> int:
    """Rebuild the organization index from the database; ``progress(done, total)`` after each batch."""
    qs = _queryset().order_by("pk")
    total = qs.count()
    ix = get_index()
    ix.clear()
    done = 0
    for org in qs.iterator(chunk_size=batch):
        texts, filters = organization_document(org)
        ix.add(org.pk, texts, filters, replace=False)
        done += 1
        if progress and done % batch == 0:
            progress(done, total)
    ix.commit()
    if progress:
        progress(done, total)
    return done


def _safe(func, *args):
    try:
        func(*args)
    except Exception:  # the database change is committed; a stale index must not break the request
        log.exception("search index update failed; run `khooshe reindex`")


def _on_save(sender, instance, **kwargs):
    pk = instance.pk
    transaction.on_commit(lambda: _safe(index_organizations, [pk]))


def _on_m2m(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        _on_save(sender, instance)


def connect() -> None:
    """Keep the index current (idempotent). Called from ``SearchConfig.ready()``."""
    from khooshe.registry.models import Organization

    post_save.connect(_on_save, sender=Organization, dispatch_uid="khooshe.search.org.save")
    post_delete.connect(_on_save, sender=Organization, dispatch_uid="khooshe.search.org.delete")
    for rel in (Organization.sectors.through, Organization.capability_sectors.through):
        m2m_changed.connect(_on_m2m, sender=rel, dispatch_uid=f"khooshe.search.org.m2m.{rel.__name__}")


def search_organizations(query: str | None, *, user=None, limit: int = 20, filters: dict | None = None,
                         dense: bool | None = None) -> SearchResults:
    """Search organizations; with ``user``, keep only those ``Organization.objects.visible_to(user)``.

    ``dense=None`` fuses dense retrieval when a model is installed (good for matching and cross-language
    queries); a list page's search box that must only show keyword matches passes ``dense=False``.
    """
    ix = get_index()
    results = ix.search(query, limit=limit * 3 if user is not None else limit, filters=filters, dense=dense)
    if user is not None and results.hits:
        from khooshe.registry.models import Organization

        visible = set(Organization.objects.visible_to(user).filter(pk__in=results.ids).values_list("pk", flat=True))
        results.hits = [h for h in results.hits if h.id in visible][:limit]
    return results


def notice_messages(results: SearchResults) -> list[str]:
    """The result's notices as translated sentences for the page."""
    messages = {
        NOTICE_EMPTY: _("Type a word to search: the query has no letters or digits."),
        NOTICE_TRUNCATED: _("The query was too long; only its first %(n)s characters were searched.")
        % {"n": MAX_QUERY_CHARS},
        NOTICE_BM25_ONLY: _("Keyword search only (no language model is installed)."),
    }
    return [messages[n] for n in results.notices if n in messages]
