"""The examples in the analytics docstrings are run, so the documentation cannot drift from the code."""

import doctest
import importlib
import pkgutil

import pytest

import khooshe.analytics

MODULES = sorted(name for _, name, _ in pkgutil.iter_modules(khooshe.analytics.__path__, "khooshe.analytics."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed (see the output above)"
