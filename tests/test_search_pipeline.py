"""The text pipeline: what a user types finds what was written, whatever the spelling."""

import pytest

from khooshe.search.highlight import highlight
from khooshe.search.tokenize import Pipeline, analyze


def test_zwnj_compound_is_indexed_joined_and_split():
    terms = set(analyze("می‌خواهم"))
    assert {"خواهم", "میخواهم"} <= terms
    # each way a user may type it yields at least one shared term
    for typed in ("می‌خواهم", "میخواهم", "می خواهم"):
        assert set(analyze(typed)) & terms


def test_arabic_letters_digits_and_case_are_folded():
    assert analyze("كرمان ١٤٠٣ PISTACHIO") == analyze("کرمان 1403 pistachio")


def test_light_stemming_is_switchable():
    assert analyze("کارخانه‌ها clusters") == ["کارخانه", "کارخانه", "cluster"]  # split part, joined form
    plain = Pipeline(stem=False, stop_words=False)
    assert "clusters" in plain.analyze("clusters")


def test_punctuation_emoji_and_query_syntax_are_not_terms():
    assert analyze('😀 "title:foo" (bar)^2 -baz *') == ["title", "foo", "bar", "2", "baz"]
    assert analyze("😀🚀 ... !!! ") == []


@pytest.mark.parametrize("text", ["", None, " ", "\u200c\u200c", "ـــ"])
def test_empty_text_gives_no_terms(text):
    assert analyze(text) == []


def test_highlight_marks_words_and_escapes_html():
    html = highlight('<script>alert(1)</script> کارخانه‌های نوآوری', frozenset(analyze("کارخانه")))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>کارخانه‌های</mark>" in html


def test_highlight_cuts_long_text_around_the_match():
    text = "آغاز " * 200 + "پسته" + " پایان" * 200
    html = highlight(text, frozenset(analyze("پسته")), max_chars=100)
    assert "<mark>پسته</mark>" in html and html.startswith("…") and html.endswith("…")
    assert len(html) < 200
