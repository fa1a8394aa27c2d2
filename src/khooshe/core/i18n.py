"""Compile the translation catalogues (.po -> .mo) with polib, so no system gettext is needed.

The .mo files are build products: made at setup, never committed.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings


def compile_translations() -> int:
    """Compile every .po under LOCALE_PATHS whose .mo is missing or older; returns how many."""
    compiled = 0
    for base in settings.LOCALE_PATHS:
        for po_path in Path(base).glob("*/LC_MESSAGES/*.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            compiled += 1
    return compiled


def localized(fa: str, en: str) -> str:
    """A text in the interface language, falling back to the other one (names and titles kept in both)."""
    from django.utils.translation import get_language

    if (get_language() or "fa").startswith("fa"):
        return fa or en
    return en or fa
