"""Validators with messages that say what is wrong and what to do."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from khooshe.core.text import normalize


def iranian_legal_id_is_valid(value: str) -> bool:
    """Check digit of the 11-digit national ID of an Iranian legal entity (شناسه ملی).

    The tenth digit plus 2 is added to each of the first ten digits, which are weighted 29, 27, 23, 19,
    17 in turn; the sum modulo 11 (10 counts as 0) is the last digit. Digits 4 to 9 are never all zero.

    >>> iranian_legal_id_is_valid("10861802874"), iranian_legal_id_is_valid("10861802875")
    (True, False)
    """
    if not re.fullmatch(r"\d{11}", value) or int(value[3:9]) == 0:
        return False
    digits = [int(c) for c in value]
    shift = digits[9] + 2
    weights = (29, 27, 23, 19, 17)
    total = sum((digits[i] + shift) * weights[i % 5] for i in range(10))
    remainder = total % 11
    return (0 if remainder == 10 else remainder) == digits[10]


def make_iranian_legal_id(prefix10: str) -> str:
    """Complete 10 digits with the check digit (used by the demo generator and tests)."""
    digits = [int(c) for c in prefix10]
    shift = digits[9] + 2
    weights = (29, 27, 23, 19, 17)
    remainder = sum((digits[i] + shift) * weights[i % 5] for i in range(10)) % 11
    return prefix10 + str(0 if remainder == 10 else remainder)


def validate_national_id(value: str) -> None:
    value = normalize(value)
    if not value:
        return
    if getattr(settings, "KHOOSHE_NATIONAL_ID_FORMAT", "ir") == "ir":
        if not re.fullmatch(r"\d{11}", value):
            raise ValidationError(
                _("“%(value)s” is not a national ID: it must be exactly 11 digits."), params={"value": value},
                code="national_id_format",
            )
        if not iranian_legal_id_is_valid(value):
            raise ValidationError(
                _("“%(value)s” is not a valid national ID: its check digit is wrong. Check for a typo."),
                params={"value": value}, code="national_id_checksum",
            )
    elif not re.fullmatch(r"[A-Za-z0-9\-]{3,20}", value):
        raise ValidationError(
            _("“%(value)s” is not a valid ID: use 3 to 20 letters, digits or dashes."), params={"value": value},
            code="national_id_format",
        )
