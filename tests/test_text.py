"""The shared normalizer: every search and every uniqueness check on names goes through it."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khooshe.core.text import ZWNJ, fold, normalize, persian_digits, query_terms, search_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("كرمان", "کرمان"),  # Arabic kaf
        ("علي", "علی"),  # Arabic yeh
        ("مُحَمَّد", "محمد"),  # diacritics
        ("كـــرمان", "کرمان"),  # tatweel
        ("۱۴۰۳/۰۵/۱۲", "1403/05/12"),  # Persian digits
        ("٣٤", "34"),  # Arabic-Indic digits
        ("مي\u200b\u200cخواهم", f"مي{ZWNJ}خواهم".replace("ي", "ی")),  # zero-width variants to one ZWNJ
        ("  شرکت   پسته  ", "شرکت پسته"),
        ("خانه\u200c ی", "خانه ی"),  # ZWNJ next to a space is dropped
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_fold_makes_spellings_equal():
    assert fold("KERMAN كارخانه نوآوري") == fold("kerman کارخانه نوآوری")
    assert fold(f"می{ZWNJ}خواهم") == fold("می خواهم")


def test_search_text_matches_joined_and_split_compounds():
    stored = search_text(f"کارخانه{ZWNJ}ای نوآور")
    for query in ("کارخانهای", "کارخانه ای", "كارخانه"):
        assert all(term in stored for term in query_terms(query))


def test_persian_digits_for_display():
    assert persian_digits("Page 12") == "Page ۱۲"


@given(st.text())
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once
    assert fold(fold(text)) == fold(text)
