"""Index writes with several processes and threads at once: a save never fails nor waits for another
writer, and no update is lost (khooshe.search.documents: journal + one writer at a time)."""

import multiprocessing
import threading
from types import SimpleNamespace

import pytest
from django.test import override_settings

from khooshe.search import documents
from khooshe.search.documents import SearchDocument
from khooshe.search.locks import FileLock

pytestmark = pytest.mark.django_db

NAMES = {i: f"شرکت شماره{i} پسته" for i in range(1, 61)}


class FakeRows:
    """A stand-in for a queryset (the database is not shared with child processes in tests)."""

    def __init__(self, ids):
        self.ids = sorted(ids)

    def filter(self, pk__in):
        return FakeRows(set(self.ids) & set(pk__in))

    def order_by(self, *args):
        return self

    def count(self):
        return len(self.ids)

    def iterator(self, chunk_size=None):
        return iter(SimpleNamespace(pk=i, name=NAMES[i]) for i in self.ids)


class FakeDocument(SearchDocument):
    def queryset(self):
        return FakeRows(NAMES)


DOC = FakeDocument(model="tests.Fake", slug="fake", texts=lambda r: {"name": r.name})


_inherited = []


def _queue_in_child(search_dir, ids):
    with override_settings(KHOOSHE_SEARCH_DIR=search_dir):
        _inherited.append(documents._indexes)  # never use (nor drop) a parent's tantivy objects after fork
        documents._indexes = {}
        for i in ids:
            documents.queue(DOC, [i])  # one commit per id: many chances to collide


def _found(ids_expected):
    ix = documents.get_index(DOC)
    return set(ix.search("پسته", limit=1000).ids) == set(ids_expected)


def test_processes_writing_at_once_lose_nothing(settings, tmp_path):
    settings.KHOOSHE_SEARCH_DIR = tmp_path / "search"
    documents._indexes.clear()
    ctx = multiprocessing.get_context("fork")
    chunks = [list(range(1 + k, 61, 4)) for k in range(4)]
    children = [ctx.Process(target=_queue_in_child, args=(tmp_path / "search", chunk)) for chunk in chunks]
    for child in children:
        child.start()
    for child in children:
        child.join(120)
        assert child.exitcode == 0
    assert not documents.has_pending(DOC), "every queued id was applied by some process"
    assert _found(NAMES)
    assert len(documents.get_index(DOC)) == 60


def test_threads_writing_at_once_lose_nothing(settings, tmp_path):
    settings.KHOOSHE_SEARCH_DIR = tmp_path / "search"
    errors = []

    def work(ids):
        try:
            for i in ids:
                documents.queue(DOC, [i])
        except Exception as exc:  # queue() must never raise
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(list(range(1 + k, 61, 4)),)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert not documents.has_pending(DOC)
    assert _found(NAMES)


def test_save_while_another_process_holds_the_writer_neither_fails_nor_waits_nor_is_lost(settings, tmp_path):
    settings.KHOOSHE_SEARCH_DIR = tmp_path / "search"
    documents.queue(DOC, [1])
    holder = FileLock(documents.index_dir(DOC) / "writer.lock")
    assert holder.acquire()  # another process is writing
    try:
        documents.queue(DOC, [2, 3])  # returns at once, no exception
        assert documents.has_pending(DOC)
        assert set(documents.get_index(DOC).search("پسته").ids) == {1}
    finally:
        holder.release()
    # The holder drains the journal before it lets go (here: the next flush by anyone).
    assert documents.flush(DOC)
    assert set(documents.get_index(DOC).search("پسته").ids) == {1, 2, 3}


def test_a_writer_that_died_mid_apply_leaves_its_ids_to_the_next(settings, tmp_path):
    settings.KHOOSHE_SEARCH_DIR = tmp_path / "search"
    path = documents.index_dir(DOC)
    path.mkdir(parents=True)
    (path / "applying.ids").write_text("4\n5\n")  # left by a crashed writer
    documents.queue(DOC, [6])
    assert set(documents.get_index(DOC).search("پسته").ids) == {4, 5, 6}
    assert not documents.has_pending(DOC)


def test_other_process_commits_are_seen_by_an_open_reader(settings, tmp_path):
    settings.KHOOSHE_SEARCH_DIR = tmp_path / "search"
    documents._indexes.clear()
    documents.queue(DOC, [7])
    reader = documents.get_index(DOC)
    assert reader.search("پسته").ids == [7]
    ctx = multiprocessing.get_context("fork")
    child = ctx.Process(target=_queue_in_child, args=(tmp_path / "search", [8]))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert set(reader.search("پسته").ids) == {7, 8}  # the same reader object, no reopen
