"""SearchIndex without Django: ranking, filters, updates, bad input, dense fusion."""

import pytest

from khooshe.search.dense import dense_available
from khooshe.search.index import MAX_QUERY_CHARS, SearchIndex

DOCS = {
    1: ({"name": "کارخانه نوآوری آزادی", "capabilities": "شتاب‌دهی استارتاپ‌ها و فضای کار اشتراکی",
         "description": "در تهران"}, {"kind": "factory", "region": [1, 10]}),
    2: ({"name": "Kerman Pistachio Processing", "capabilities": "food processing, packaging",
         "description": "exporter of pistachio"}, {"kind": "sme", "region": [2, 20], "sector": [5]}),
    3: ({"name": "شرکت فرآوری پسته کرمان", "capabilities": "بسته‌بندی مواد غذایی",
         "description": "صادرات پسته و زعفران"}, {"kind": "sme", "region": [2], "sector": [5, 6]}),
    4: ({"name": "خانه خلاق", "capabilities": "طراحی", "description": "همکاری با صنایع پسته"},
        {"kind": "hub", "region": [1]}),
}


@pytest.fixture
def ix(tmp_path):
    index = SearchIndex(tmp_path / "ix", dense=False)
    for doc_id, (texts, filters) in DOCS.items():
        index.add(doc_id, texts, filters)
    index.commit()
    return index


def test_finds_across_spellings(ix):
    assert ix.search("كارخانه").ids == [1]  # Arabic kaf
    assert ix.search("استارتاپ").ids == [1]  # ZWNJ plural in the text, singular in the query
    assert ix.search("PISTACHIOS").ids == [2]


def test_field_boosts_name_before_description(ix):
    assert ix.search("پسته").ids == [3, 4]  # 3 has it in its name, 4 only in its description


def test_filters(ix):
    assert ix.search("پسته", filters={"kind": "hub"}).ids == [4]
    assert set(ix.search("پسته", filters={"region": 2}).ids) == {3}
    assert ix.search("pistachio processing", filters={"sector": [6, 5], "kind": "sme"}).ids == [2]
    with pytest.raises(ValueError, match="unknown filter 'colour'"):
        ix.search("x", filters={"colour": "red"})


def test_update_and_delete_visible_after_commit(ix):
    ix.add(3, {"name": "شرکت زعفران"}, {"kind": "sme"})
    ix.delete(2)
    ix.commit()
    assert ix.search("پسته").ids == [4]
    assert ix.search("pistachio").ids == []
    assert ix.search("زعفران").ids == [3]
    assert len(ix) == 3


def test_reopening_keeps_documents(ix, tmp_path):
    again = SearchIndex(tmp_path / "ix", dense=False)
    assert again.search("پسته").ids == [3, 4]


def test_results_say_bm25_only_and_highlight(ix):
    res = ix.search("pistachio")
    assert res.mode == "bm25" and res.bm25_only
    assert res.hits[0].snippets["name"] == "Kerman <mark>Pistachio</mark> Processing"


def test_indexed_html_is_escaped(tmp_path):
    index = SearchIndex(tmp_path / "x", dense=False)
    index.add(9, {"name": '<img src=x onerror=alert(1)> Evil Co'})
    index.commit()
    snippet = index.search("evil").hits[0].snippets["name"]
    assert "<img" not in snippet and "&lt;img" in snippet and "<mark>Evil</mark>" in snippet


@pytest.mark.parametrize("query", [
    "", "   ", None, "😀🚀", '"', "title:(foo", "a AND OR NOT", "*?~^[]{}!\\/", "+-&&||",
    "پسته 😀 pistachio", "x" * 100_000, "پسته " * 5000, "\x00\ufeff\u200c",
])
def test_bad_input_never_raises(ix, query):
    res = ix.search(query)
    assert isinstance(res.hits, list)


def test_empty_and_long_queries_are_explained(ix):
    assert "empty_query" in ix.search("😀").notices
    res = ix.search("پسته " * 1000)
    assert "query_truncated" in res.notices and res.ids == [3, 4]
    assert len(" ".join(res.terms)) <= MAX_QUERY_CHARS


def test_mixed_script_query_matches_both(ix):
    assert set(ix.search("پسته pistachio").ids) == {2, 3, 4}


@pytest.mark.skipif(not dense_available(), reason="no embedding model installed")
def test_dense_fusion_finds_cross_language_match(tmp_path):
    index = SearchIndex(tmp_path / "d", dense=True)
    for doc_id, (texts, filters) in DOCS.items():
        index.add(doc_id, texts, filters)
    index.commit()
    res = index.search("pistachio")
    assert res.mode == "bm25+dense" and "bm25_only" not in res.notices
    assert res.ids[0] == 2
    persian = next(h for h in res.hits if h.id == 3)  # the Persian pistachio company: no shared word
    assert persian.bm25_rank is None and persian.dense_rank is not None
    assert index.search("pistachio", filters={"kind": "hub"}).ids == [4]  # filters hold for dense hits too
    index.delete(3)
    index.commit()
    assert 3 not in index.search("pistachio").ids


def test_pure_part_does_not_import_django():
    import subprocess
    import sys

    code = "import sys, khooshe.search, khooshe.search.index; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_match_all_requires_every_word(ix):
    assert set(ix.search("پسته").ids) == {3, 4}
    assert ix.search("پسته کرمان", match="all").ids == [3]
    assert set(ix.search("پسته کرمان", match="any").ids) == {3, 4}
    # A ZWNJ compound is one word: its parts or its joined form may match.
    assert ix.search("استارتاپ‌ها فضای", match="all").ids == [1]
    assert ix.search("فضای زعفران", match="all").ids == []
    with pytest.raises(ValueError, match="match must be"):
        ix.search("x", match="some")


def test_snippets_for_one_page_and_hidden_fields(tmp_path):
    index = SearchIndex(tmp_path / "h", fields={"name": 3.0, "other": 1.0}, snippet_fields=("name",), dense=False)
    index.add(1, {"name": "شرکت <پسته>", "other": "secret@example.org"})
    index.commit()
    assert index.search("secret").ids == [1]  # searchable ...
    snippets = index.snippets_for([1], ["پسته", "secret"])
    assert snippets == {1: {"name": "شرکت &lt;<mark>پسته</mark>&gt;"}}  # ... but never shown
    assert index.snippets_for([], ["x"]) == {}


def test_a_second_reader_sees_commits_without_reopening(tmp_path):
    writer = SearchIndex(tmp_path / "r", dense=False)
    reader = SearchIndex(tmp_path / "r", dense=False)
    assert reader.search("زعفران").ids == []
    writer.add(9, {"name": "زعفران"})
    writer.commit()
    assert reader.search("زعفران").ids == [9]
