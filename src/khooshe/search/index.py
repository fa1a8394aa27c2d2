"""``SearchIndex``: an embedded tantivy index on disk, fed pre-tokenised text (no Django here).

Every text field is indexed with tantivy's ``whitespace`` tokenizer over the terms of our own pipeline
(``khooshe.search.tokenize``), so tantivy never tokenises differently from the queries. Queries are built
as term queries from the same pipeline (never through tantivy's query parser), so whatever a user types
(quotes, ``:``, ``+``, brackets, emoji) is plain text. Ranking is BM25 summed over fields with boosts
(default name 3 > capabilities 2 > description 1). Filter fields (e.g. kind, region, sector) are exact
keywords, several values per document allowed; a filter ``{"sector": [3, 4]}`` keeps documents having any
of the values, several filters must all hold.

The original text of each document is stored (as JSON bytes) for highlighted snippets. With a dense model
installed (``dense=True`` or ``"auto"``), embeddings are kept next to the index and results are fused
with BM25 by reciprocal rank fusion; otherwise results say ``mode == "bm25"`` ("bm25 only").
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import tantivy

from khooshe.core.text import normalize
from khooshe.search.dense import DenseStore, dense_available
from khooshe.search.fusion import rrf
from khooshe.search.highlight import highlight
from khooshe.search.tokenize import DEFAULT, Pipeline

DEFAULT_FIELDS = {"name": 3.0, "capabilities": 2.0, "description": 1.0}
DEFAULT_FILTERS = ("kind", "region", "sector")
MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 32
MAX_LIMIT = 1000
SCHEMA_VERSION = 1

# Notice codes of a result (the Django layer turns them into translated messages).
NOTICE_EMPTY = "empty_query"  # nothing searchable in the query
NOTICE_TRUNCATED = "query_truncated"  # the query was cut to MAX_QUERY_CHARS / MAX_QUERY_TERMS
NOTICE_BM25_ONLY = "bm25_only"  # no dense model: keyword ranking only


@dataclass
class Hit:
    id: int
    score: float
    snippets: dict[str, str] = field(default_factory=dict)  # field -> HTML with <mark>, escaped
    bm25_rank: int | None = None
    dense_rank: int | None = None


@dataclass
class SearchResults:
    hits: list[Hit]
    mode: str  # "bm25" or "bm25+dense"
    terms: list[str]
    notices: list[str] = field(default_factory=list)
    total: int = 0  # documents matching the keyword query (before limit)

    @property
    def bm25_only(self) -> bool:
        return self.mode == "bm25"

    @property
    def ids(self) -> list[int]:
        return [h.id for h in self.hits]


class IndexBusy(RuntimeError):
    """Another writer (in this or another process) holds the index lock."""


class SearchIndex:
    """An on-disk search index of documents keyed by a non-negative integer id.

    >>> import tempfile
    >>> ix = SearchIndex(tempfile.mkdtemp(), dense=False)
    >>> ix.add(1, {"name": "کارخانه نوآوری آزادی"}, {"kind": "factory"})
    >>> ix.commit()
    >>> ix.search("كارخانه").ids
    [1]
    """

    def __init__(self, path: str | Path, *, fields: Mapping[str, float] = DEFAULT_FIELDS,
                 filters: Iterable[str] = DEFAULT_FILTERS, pipeline: Pipeline = DEFAULT,
                 dense: bool | str = "auto", writer_heap: int = 128_000_000, writer_threads: int = 1,
                 snippet_fields: Iterable[str] | None = None):
        self.path = Path(path)
        self.fields = dict(fields)
        # Fields whose text is stored for snippets; the others (e.g. e-mail, national id) are searchable
        # but never shown in a result.
        self.snippet_fields = tuple(self.fields if snippet_fields is None else snippet_fields)
        self.filter_fields = tuple(filters)
        self.pipeline = pipeline
        self.writer_heap, self.writer_threads = writer_heap, writer_threads
        self.dense_enabled = dense_available() if dense == "auto" else bool(dense)
        self._lock = threading.RLock()
        self._writer = None
        self._dense_store: DenseStore | None = None
        meta = {"version": SCHEMA_VERSION, "fields": self.fields, "filters": list(self.filter_fields),
                "pipeline": pipeline.as_dict(), "snippet_fields": list(self.snippet_fields)}
        tpath = self.path / "tantivy"
        meta_path = self.path / "meta.json"
        tpath.mkdir(parents=True, exist_ok=True)
        old_meta = _read_json(meta_path)
        if old_meta is not None and old_meta != meta:
            # Settings changed: the old terms are unusable; start empty (reindex fills it).
            for f in tpath.iterdir():
                f.unlink()
            if (self.path / "dense").exists():
                for f in (self.path / "dense").iterdir():
                    f.unlink()
        self.schema = self._build_schema()
        self.index = tantivy.Index(self.schema, path=str(tpath), reuse=True)
        if old_meta != meta:  # atomic: another process may be reading it
            tmp = meta_path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(meta))
            os.replace(tmp, meta_path)
        self._seen_commit = self._commit_stamp()

    # -- schema ---------------------------------------------------------------------------------
    def _build_schema(self):
        sb = tantivy.SchemaBuilder()
        sb.add_unsigned_field("id", stored=True, indexed=True, fast=True)
        for name in self.fields:
            sb.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
        for name in self.filter_fields:
            sb.add_text_field(name, tokenizer_name="raw", index_option="basic")
        sb.add_bytes_field("_raw", stored=True)
        return sb.build()

    @property
    def dense(self) -> DenseStore | None:
        if self.dense_enabled and self._dense_store is None:
            self._dense_store = DenseStore(self.path / "dense")
        return self._dense_store

    # -- writing --------------------------------------------------------------------------------
    def _get_writer(self, wait: float = 5.0):
        if self._writer is None:
            deadline = time.monotonic() + wait
            while True:
                try:
                    self._writer = self.index.writer(heap_size=self.writer_heap, num_threads=self.writer_threads)
                    break
                except ValueError as exc:
                    if "Lock" not in str(exc) or time.monotonic() > deadline:
                        raise IndexBusy(str(exc)) from exc
                    time.sleep(0.05)
        return self._writer

    def add(self, doc_id: int, texts: Mapping[str, str | None], filters: Mapping[str, object] | None = None,
            *, replace: bool = True, dense_text: str | None = None) -> None:
        """Add (or, with ``replace``, update) one document; visible after ``commit()``."""
        doc_id = int(doc_id)
        with self._lock:
            writer = self._get_writer()
            if replace:
                writer.delete_documents_by_query(tantivy.Query.term_query(self.schema, "id", doc_id))
            doc = tantivy.Document()
            doc.add_unsigned("id", doc_id)
            raw = {}
            for name in self.fields:
                norm = normalize(texts.get(name))
                if not norm:
                    continue
                if name in self.snippet_fields:
                    raw[name] = norm
                terms = self.pipeline.analyze(norm, normalized=True)
                if terms:
                    doc.add_text(name, " ".join(terms))
            for name in self.filter_fields:
                for value in _values((filters or {}).get(name)):
                    doc.add_text(name, value)
            doc.add_bytes("_raw", json.dumps(raw, ensure_ascii=False).encode())
            writer.add_document(doc)
            if self.dense is not None:
                text = dense_text if dense_text is not None else "\n".join(raw.get(f, "") for f in self.fields)
                self.dense.add(doc_id, text)

    def delete(self, doc_id: int) -> None:
        with self._lock:
            self._get_writer().delete_documents_by_query(tantivy.Query.term_query(self.schema, "id", int(doc_id)))
            if self.dense is not None:
                self.dense.delete(doc_id)

    def clear(self) -> None:
        """Remove every document (visible after ``commit()``)."""
        with self._lock:
            self._get_writer().delete_all_documents()
            if self.dense is not None:
                self.dense.clear()

    def commit(self) -> None:
        """Make the changes visible and durable, and release the writer lock."""
        with self._lock:
            if self._writer is not None:
                self._writer.commit()
                self._writer.wait_merging_threads()
                self._writer = None
            if self.dense is not None:
                self.dense.commit()
            self.index.reload()
            self._seen_commit = self._commit_stamp()

    def rollback(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.rollback()
                self._writer = None

    def __len__(self) -> int:
        self.refresh()
        return self.index.searcher().num_docs

    def _commit_stamp(self) -> tuple:
        try:
            st = (self.path / "tantivy" / "meta.json").stat()
        except FileNotFoundError:
            return ()
        return st.st_mtime_ns, st.st_size, st.st_ino

    def refresh(self) -> None:
        """See what other processes committed: reload the reader when the index's meta.json changed
        (one ``stat``; tantivy's own reload policy lags by up to half a second)."""
        stamp = self._commit_stamp()
        if stamp != self._seen_commit:
            with self._lock:
                self.index.reload()
                self._seen_commit = stamp
            if self._dense_store is not None:
                self._dense_store.refresh()

    # -- reading --------------------------------------------------------------------------------
    def query_terms(self, query: str | None) -> tuple[list[str], list[str]]:
        """(distinct terms of the query, notices): the pipeline's terms, truncated if very long."""
        notices = []
        query = query or ""
        if len(query) > MAX_QUERY_CHARS:
            cut = query.rfind(" ", 0, MAX_QUERY_CHARS)
            query = query[: cut if cut > MAX_QUERY_CHARS // 2 else MAX_QUERY_CHARS]
            notices.append(NOTICE_TRUNCATED)
        terms = list(dict.fromkeys(self.pipeline.analyze(query)))
        if len(terms) > MAX_QUERY_TERMS:
            terms = terms[:MAX_QUERY_TERMS]
            if NOTICE_TRUNCATED not in notices:
                notices.append(NOTICE_TRUNCATED)
        return terms, notices

    def _filter_queries(self, filters: Mapping[str, object] | None) -> list:
        out = []
        for name, value in (filters or {}).items():
            if name not in self.filter_fields:
                raise ValueError(f"unknown filter {name!r}; known: {', '.join(self.filter_fields)}")
            values = _values(value)
            if not values:
                continue
            out.append(tantivy.Query.const_score_query(tantivy.Query.term_set_query(self.schema, name, values), 0.0))
        return out

    def query_groups(self, query: str | None) -> tuple[list[list[str]], list[str]]:
        """(one list of terms per query word, notices): a word matches when any of its terms does
        (a ZWNJ compound gives its parts and its joined form). Stop words give no group."""
        terms, notices = self.query_terms(query)
        allowed = set(terms)
        groups: list[list[str]] = []
        seen: set[tuple] = set()
        norm = normalize((query or "")[:MAX_QUERY_CHARS]).casefold()
        for _s, _e, word in self.pipeline.words(norm, normalized=True):
            group = [t for t in dict.fromkeys(self.pipeline.word_terms(word)) if t in allowed]
            if group and tuple(group) not in seen:
                seen.add(tuple(group))
                groups.append(group)
        return groups, notices

    def _field_query(self, term: str):
        return [(tantivy.Occur.Should,
                 tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, f, term, index_option="freq"), b))
                for f, b in self.fields.items()]

    def _keyword_query(self, terms: list[str], groups: list[list[str]] | None = None):
        if groups:  # every word must match (in any field), scores summed as usual
            return tantivy.Query.boolean_query([
                (tantivy.Occur.Must, tantivy.Query.boolean_query([c for t in group for c in self._field_query(t)]))
                for group in groups])
        return tantivy.Query.boolean_query([c for t in terms for c in self._field_query(t)])

    def snippets_for(self, ids: Iterable[int], terms: Iterable[str]) -> dict[int, dict[str, str]]:
        """Highlighted snippets ``{id: {field: html}}`` of the given documents (e.g. one page of a list)."""
        ids = [int(i) for i in ids]
        if not ids:
            return {}
        self.refresh()
        searcher = self.index.searcher()
        term_set = frozenset(terms)
        out = {}
        for _, addr in searcher.search(tantivy.Query.term_set_query(self.schema, "id", ids), len(ids)).hits:
            doc = searcher.doc(addr)
            raw = json.loads(bytes(doc["_raw"][0]).decode())
            out[doc["id"][0]] = {f: highlight(raw.get(f), term_set, pipeline=self.pipeline, normalized=True)
                                 for f in self.fields if raw.get(f)}
        return out

    def search(self, query: str | None, limit: int = 10, filters: Mapping[str, object] | None = None, *,
               dense: bool | None = None, snippets: bool = True, candidates: int = 100,
               match: str = "any") -> SearchResults:
        """Search ``query`` (plain text: no syntax). ``dense=None`` fuses dense retrieval when available.
        ``match="any"``: a document matches when any query word occurs (ranked by BM25); ``"all"``: every
        query word must occur in some field (what a list page's search box does).

        Never raises on user text: empty, very long, punctuation only, emoji and mixed scripts all give
        a (possibly empty) result with ``notices``. Raises ``ValueError`` only for an unknown filter name.
        """
        limit = max(0, min(int(limit), MAX_LIMIT))
        if match not in ("any", "all"):
            raise ValueError(f"match must be 'any' or 'all', not {match!r}")
        groups = None
        if match == "all":
            groups, notices = self.query_groups(query)
            terms = list(dict.fromkeys(t for g in groups for t in g))
        else:
            terms, notices = self.query_terms(query)
        use_dense = self.dense is not None if dense is None else (dense and self.dense is not None)
        mode = "bm25+dense" if use_dense else "bm25"
        if self.dense is None:
            notices.append(NOTICE_BM25_ONLY)
        filter_qs = self._filter_queries(filters)
        if not terms or not limit:
            if not terms:
                notices.append(NOTICE_EMPTY)
            return SearchResults([], mode, terms, notices)
        self.refresh()
        searcher = self.index.searcher()
        keyword = self._keyword_query(terms, groups)
        q = tantivy.Query.boolean_query([(tantivy.Occur.Must, keyword)] +
                                        [(tantivy.Occur.Must, fq) for fq in filter_qs]) if filter_qs else keyword
        depth = max(limit, candidates) if use_dense else limit
        result = searcher.search(q, depth, count=True)
        bm25 = [(score, addr) for score, addr in result.hits]
        docs = {}
        bm25_ids = []
        for score, addr in bm25:
            doc = searcher.doc(addr)
            doc_id = doc["id"][0]
            docs[doc_id] = (score, doc)
            bm25_ids.append(doc_id)
        if use_dense:
            dense_ids = self._dense_candidates(searcher, str(query)[:MAX_QUERY_CHARS], depth, filter_qs, docs)
            fused = rrf([bm25_ids, dense_ids])[:limit]
            bm25_rank = {d: i for i, d in enumerate(bm25_ids, 1)}
            dense_rank = {d: i for i, d in enumerate(dense_ids, 1)}
            hits = [Hit(d, s, bm25_rank=bm25_rank.get(d), dense_rank=dense_rank.get(d)) for d, s in fused]
        else:
            hits = [Hit(d, docs[d][0], bm25_rank=i) for i, d in enumerate(bm25_ids, 1)]
        if snippets:
            term_set = frozenset(terms)
            for hit in hits:
                raw = json.loads(bytes(docs[hit.id][1]["_raw"][0]).decode())
                hit.snippets = {f: highlight(raw.get(f), term_set, pipeline=self.pipeline, normalized=True)
                                for f in self.fields if raw.get(f)}
        return SearchResults(hits, mode, terms, notices, total=result.count or 0)

    def _dense_candidates(self, searcher, query: str, depth: int, filter_qs: list, docs: dict) -> list[int]:
        """Dense top ``depth`` ids that are still in the index and pass the filters; fills ``docs``."""
        ranked = self.dense.search(query, depth * (3 if filter_qs else 1))
        if not ranked:
            return []
        ids = [d for d, _ in ranked]
        q = tantivy.Query.term_set_query(self.schema, "id", ids)
        if filter_qs:
            q = tantivy.Query.boolean_query([(tantivy.Occur.Must, q)] + [(tantivy.Occur.Must, fq) for fq in filter_qs])
        present = {}
        for _, addr in searcher.search(q, len(ids), count=False).hits:
            doc = searcher.doc(addr)
            present[doc["id"][0]] = doc
        out = []
        for d, sim in ranked:
            if d in present:
                docs.setdefault(d, (sim, present[d]))
                out.append(d)
        return out[:depth]


def _read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None


def _values(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v) for v in value if v is not None and v != ""]
    return [str(value)]
