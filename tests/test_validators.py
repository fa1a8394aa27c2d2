import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from khooshe.registry.validators import iranian_legal_id_is_valid, make_iranian_legal_id, validate_national_id


def test_generated_ids_are_valid_and_a_changed_digit_is_not():
    for prefix in ("1086180287", "1010165655", "1400123456"):
        valid = make_iranian_legal_id(prefix)
        assert iranian_legal_id_is_valid(valid)
        wrong = valid[:-1] + str((int(valid[-1]) + 1) % 10)
        assert not iranian_legal_id_is_valid(wrong)


@translation.override("en")
def test_validator_names_the_value_and_the_problem():
    with pytest.raises(ValidationError) as short:
        validate_national_id("12345")
    assert "12345" in str(short.value) and "11" in str(short.value)
    with pytest.raises(ValidationError, match="check digit"):
        validate_national_id("10861802875")
    validate_national_id("۱۰۸۶۱۸۰۲۸۷۴")  # Persian digits are accepted
