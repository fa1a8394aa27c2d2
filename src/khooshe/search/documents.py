"""Search documents: which models are in the search index, and how the index is kept current.

A ``SearchDocument`` maps a model's records to index documents: texts for the fields ``name`` (boost 3),
``capabilities`` (2), ``description`` (1) and ``other`` (1: identifiers such as an e-mail address or a
national id, searchable but never shown in a snippet), plus exact-keyword filters. Each model has its own
index directory ``<KHOOSHE_SEARCH_DIR>/<slug>/`` (see docs/search.md for why). Which records a user may
see is never decided here: list pages intersect the hits with ``Model.objects.visible_to(user)``.

Keeping it current with several processes (web workers, the task worker, the CLI)
-----------------------------------------------------------------------------------
tantivy allows one writer per index. Writes never wait for it and are never lost:

1. After a transaction commits, the changed ids are appended to ``pending.ids`` (under a short lock,
   ``journal.lock``); a bulk write (import, demo) instead asks for a full rebuild (``rebuild.request``).
2. The process then *tries* to become the writer (``writer.lock``, non-blocking). The writer drains the
   journal: it renames ``pending.ids`` to ``applying.ids``, re-reads those records from the database
   (a record that no longer exists is removed), commits the index, deletes ``applying.ids``, and loops
   until the journal is empty. It then releases the lock and looks once more: ids appended while it
   was releasing are drained by it or by whoever holds the lock now.
3. A process that does not get the lock returns at once: the holder will apply its ids (step 2 loops
   until the journal is empty). A writer that dies leaves ``applying.ids`` behind, which the next
   writer applies first; searches also drain a journal left pending for more than a few seconds.

Applying re-reads the database, so applying an id twice or in any order gives the same index. After a
commit, every process sees the change at its next search (the reader reloads when the index changed).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from khooshe.search.index import SearchIndex
from khooshe.search.locks import FileLock

log = logging.getLogger(__name__)

FIELDS = {"name": 3.0, "capabilities": 2.0, "description": 1.0, "other": 1.0}
SNIPPET_FIELDS = ("name", "capabilities", "description")
INLINE_BUILD_MAX = 5000  # a missing index of at most this many records is built inside the request
STALE_JOURNAL_SECONDS = 5.0


@dataclass(frozen=True)
class SearchDocument:
    model: str  # "app_label.ModelName"
    slug: str  # index directory name
    texts: Callable  # record -> {"name": ..., "capabilities": ..., "description": ..., "other": ...}
    filters: Callable | None = None  # record -> {filter: value or list}
    filter_fields: tuple[str, ...] = ()
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    defer: tuple[str, ...] = ()  # heavy columns the document never reads (e.g. region boundaries)
    watch_m2m: tuple[str, ...] = ()  # many-to-many fields whose changes reindex the record
    dense: bool = False  # keep embeddings (only where a caller fuses dense retrieval: organizations)
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def model_class(self):
        from django.apps import apps

        return apps.get_model(self.model)

    def queryset(self):
        qs = self.model_class._default_manager.all()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        if self.defer:
            qs = qs.defer(*self.defer)
        return qs

    def document(self, obj) -> tuple[dict, dict]:
        return self.texts(obj), (self.filters(obj) if self.filters else {})


_documents: dict[str, SearchDocument] = {}
_indexes: dict[Path, SearchIndex] = {}
_lock = threading.Lock()


def register_document(doc: SearchDocument) -> SearchDocument:
    _documents[doc.model.lower()] = doc
    return doc


def all_documents() -> list[SearchDocument]:
    _ensure_registered()
    return list(_documents.values())


def document_for(model) -> SearchDocument | None:
    """The search document of a model (class, instance or "app.Model" label), or None."""
    _ensure_registered()
    label = model if isinstance(model, str) else model._meta.label
    return _documents.get(label.lower())


def document_by_slug(slug: str) -> SearchDocument:
    for doc in all_documents():
        if doc.slug == slug:
            return doc
    raise KeyError(f"no search document {slug!r}; known: {', '.join(d.slug for d in all_documents())}")


def _ensure_registered() -> None:
    if not _documents:
        from khooshe.search import registrations  # noqa: F401  (registers on import)


# -- files -------------------------------------------------------------------------------------------
def base_dir() -> Path:
    configured = getattr(settings, "KHOOSHE_SEARCH_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "search"


def index_dir(doc: SearchDocument) -> Path:
    return base_dir() / doc.slug


def dense_setting() -> bool | str:
    """``KHOOSHE_SEARCH_DENSE``: "auto" (default: use the model when installed), True or False."""
    return getattr(settings, "KHOOSHE_SEARCH_DENSE", "auto")


def get_index(doc: SearchDocument) -> SearchIndex:
    path = index_dir(doc)
    with _lock:
        ix = _indexes.get(path)
        if ix is None:
            def open_index():
                return SearchIndex(path, fields=FIELDS, filters=doc.filter_fields, snippet_fields=SNIPPET_FIELDS,
                                   dense=dense_setting() if doc.dense else False, writer_heap=50_000_000)

            if (path / "tantivy" / "meta.json").exists():
                ix = open_index()
            else:  # creating it: one process at a time
                with FileLock(path / "writer.lock", timeout=30.0):
                    ix = open_index()
            if len(_indexes) >= 16:  # e.g. a test suite with a folder per test: keep the recent ones
                _indexes.pop(next(iter(_indexes)))
            _indexes[path] = ix
        return ix


def is_ready(doc: SearchDocument) -> bool:
    """True once the index was completely built (``ready.json``, written by a full build)."""
    return (index_dir(doc) / "ready.json").exists()


def _append_pending(doc: SearchDocument, ids: Iterable[int]) -> None:
    lines = "".join(f"{int(i)}\n" for i in ids)
    if not lines:
        return
    path = index_dir(doc)
    with FileLock(path / "journal.lock"):
        with open(path / "pending.ids", "a", encoding="ascii") as f:
            f.write(lines)


def _take_pending(doc: SearchDocument) -> set[int] | None:
    """Move ``pending.ids`` to ``applying.ids`` and return all ids to apply (None: nothing to do).
    Only the writer calls this."""
    path = index_dir(doc)
    applying = path / "applying.ids"
    with FileLock(path / "journal.lock"):
        if (path / "pending.ids").exists():
            if applying.exists():  # left by a writer that died: keep its ids too
                with open(applying, "a", encoding="ascii") as out:
                    out.write((path / "pending.ids").read_text(encoding="ascii"))
                (path / "pending.ids").unlink()
            else:
                os.replace(path / "pending.ids", applying)
    if not applying.exists():
        return None
    return {int(line) for line in applying.read_text(encoding="ascii").split() if line.strip().isdigit()}


def has_pending(doc: SearchDocument) -> bool:
    path = index_dir(doc)
    return any((path / name).exists() for name in ("pending.ids", "applying.ids", "rebuild.request"))


# -- writing -----------------------------------------------------------------------------------------
def _apply(doc: SearchDocument, ix: SearchIndex, ids: set[int]) -> None:
    found = set()
    try:
        for obj in doc.queryset().filter(pk__in=ids).iterator(chunk_size=500):
            try:
                texts, filters = doc.document(obj)
            except Exception:  # one bad record must not block the others forever
                log.exception("search index %s: record %s skipped", doc.slug, obj.pk)
                continue
            ix.add(obj.pk, texts, filters)
            found.add(obj.pk)
        for missing in ids - found:
            ix.delete(missing)
        ix.commit()
    except BaseException:
        ix.rollback()
        raise


def _build(doc: SearchDocument, ix: SearchIndex, progress: Callable[[int, int], None] | None = None,
           batch: int = 1000) -> int:
    """Rebuild the whole index from the database (the caller holds the writer lock)."""
    path = index_dir(doc)
    (path / "rebuild.request").unlink(missing_ok=True)  # this build answers every request made so far
    qs = doc.queryset().order_by("pk")
    total = qs.count()
    done = 0
    try:
        ix.clear()
        for obj in qs.iterator(chunk_size=batch):
            texts, filters = doc.document(obj)
            ix.add(obj.pk, texts, filters, replace=False)
            done += 1
            if progress and done % batch == 0:
                progress(done, total)
        ix.commit()
    except BaseException:
        ix.rollback()
        raise
    tmp = path / f"ready.{os.getpid()}.tmp"
    tmp.write_text(json.dumps({"built_at": time.time(), "documents": done}))
    os.replace(tmp, path / "ready.json")
    if progress:
        progress(done, total)
    return done


def _drain(doc: SearchDocument, ix: SearchIndex) -> int:
    """Apply everything queued (the caller holds the writer lock). Returns the number of ids applied."""
    path = index_dir(doc)
    applied = 0
    while True:
        if (path / "rebuild.request").exists():
            _build(doc, ix)
            applied += 1
            continue
        ids = _take_pending(doc)
        if ids is None:
            return applied
        _apply(doc, ix, ids)
        (path / "applying.ids").unlink(missing_ok=True)
        applied += len(ids) or 1


def flush(doc: SearchDocument, *, wait: float | None = 0.0) -> bool:
    """Apply the queued changes if this process can be the writer within ``wait`` seconds (``None``:
    as long as it takes). Returns True when this call found the journal empty or emptied it."""
    path = index_dir(doc)
    ix = get_index(doc)
    first = True
    while first or has_pending(doc):
        first = False
        lock = FileLock(path / "writer.lock", timeout=wait)
        if not lock.acquire():
            return False  # the holder drains our ids before it releases (see the module docstring)
        try:
            if _drain(doc, ix):
                _changed()
        finally:
            lock.release()
        wait = 0.0
    return True


def _changed() -> None:
    """Cached anonymous pages rendered from the index before this commit must not survive it."""
    from khooshe.core.page_cache import bump_page_cache

    bump_page_cache()


def queue(doc: SearchDocument, ids: Iterable[int]) -> None:
    """Queue records for reindexing and apply them now if this process can (never waits, never fails:
    a failure is logged and the ids stay queued)."""
    try:
        index_dir(doc).mkdir(parents=True, exist_ok=True)
        _append_pending(doc, ids)
        flush(doc)
    except Exception:
        log.exception("search index %s: update queued but not applied yet", doc.slug)


def request_rebuild(doc: SearchDocument, *, background: bool | None = None) -> None:
    """Ask for a full rebuild (after bulk writes, or when the index does not exist yet). Small tables
    are rebuilt at once if the writer is free; large ones by the task worker (``build_index``)."""
    path = index_dir(doc)
    path.mkdir(parents=True, exist_ok=True)
    marker = path / "rebuild.request"
    try:
        fresh = time.time() - marker.stat().st_mtime < 600  # a build was asked for recently
    except FileNotFoundError:
        fresh = False
        marker.touch()
    if background is None:  # embeddings take up to a second per record: never inside a request
        background = doc.queryset().count() > INLINE_BUILD_MAX or get_index(doc).dense is not None
    if not background:
        try:
            flush(doc)
        except Exception:
            log.exception("search index %s: rebuild failed; run `khooshe reindex`", doc.slug)
        return
    if fresh:
        return  # already asked within the last ten minutes (and the build reads the database as it is then)
    marker.touch()
    try:
        from khooshe.search.tasks import build_index

        build_index.enqueue(doc.slug)
    except Exception:
        log.exception("search index %s: could not queue the rebuild; run `khooshe reindex`", doc.slug)


def request_rebuild_models(*models) -> None:
    """``transaction.on_commit``-friendly: rebuild the indexes of these models (bulk writes)."""
    for model in models:
        doc = document_for(model)
        if doc is not None:
            request_rebuild(doc)


def after_bulk_write(*models) -> None:
    """Call inside the transaction of a bulk write (which sends no signals)."""
    transaction.on_commit(lambda: request_rebuild_models(*models))


def rebuild(doc: SearchDocument, progress: Callable[[int, int], None] | None = None, batch: int = 1000) -> int:
    """Rebuild one index now (waits for the writer lock). Returns the number of documents."""
    path = index_dir(doc)
    path.mkdir(parents=True, exist_ok=True)
    ix = get_index(doc)
    with FileLock(path / "writer.lock"):
        count = _build(doc, ix, progress, batch)
        _drain(doc, ix)
    _changed()
    flush(doc)  # ids queued while releasing
    return count


def search_index_state(doc: SearchDocument) -> dict:
    path = index_dir(doc)
    ready = path / "ready.json"
    info = json.loads(ready.read_text()) if ready.exists() else None
    return {"slug": doc.slug, "ready": info is not None, "built": info, "pending": has_pending(doc)}


def drain_if_stale(doc: SearchDocument) -> None:
    """A journal left pending for a while (its writer died): apply it now if the writer is free."""
    path = index_dir(doc)
    for name in ("applying.ids", "pending.ids"):
        try:
            age = time.time() - (path / name).stat().st_mtime
        except FileNotFoundError:
            continue
        if age > STALE_JOURNAL_SECONDS:
            try:
                flush(doc)
            except Exception:
                log.exception("search index %s: stale journal not applied", doc.slug)
            return


# -- signals -----------------------------------------------------------------------------------------
_local = threading.local()


def _changed_ids() -> dict[str, set[int]]:
    if not hasattr(_local, "ids"):
        _local.ids = {}
    return _local.ids


def _on_commit() -> None:
    changed = _changed_ids()
    while changed:
        slug, ids = changed.popitem()
        queue(document_by_slug(slug), ids)


def mark_changed(doc: SearchDocument, pk) -> None:
    """Reindex the record after the current transaction commits (never for a rolled-back change:
    and even a stale id is harmless, applying re-reads the database)."""
    if pk is None:
        return
    _changed_ids().setdefault(doc.slug, set()).add(int(pk))
    transaction.on_commit(_on_commit)


def _on_save(sender, instance, **kwargs):
    doc = document_for(sender)
    if doc is not None:
        mark_changed(doc, instance.pk)


def _on_m2m(sender, instance, action, reverse=False, model=None, pk_set=None, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        doc = document_for(type(instance))
        if doc is not None:
            mark_changed(doc, instance.pk)
    elif model is not None and pk_set:
        doc = document_for(model)
        if doc is not None:
            for pk in pk_set:
                mark_changed(doc, pk)


def connect() -> None:
    """Keep every index current (idempotent). Called from ``SearchConfig.ready()``."""
    for doc in all_documents():
        model = doc.model_class
        post_save.connect(_on_save, sender=model, dispatch_uid=f"khooshe.search.save.{doc.slug}")
        post_delete.connect(_on_save, sender=model, dispatch_uid=f"khooshe.search.delete.{doc.slug}")
        for name in doc.watch_m2m:
            through = model._meta.get_field(name).remote_field.through
            m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"khooshe.search.m2m.{doc.slug}.{name}")
