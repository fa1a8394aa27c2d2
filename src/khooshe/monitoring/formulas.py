"""Formulas of derived indicators: ``numerator / denominator x factor`` over named sources.

An expression is arithmetic (+ - * / and parentheses, numbers) over names; a name is either a *source*
(a figure Khooshe computes from its data for the period, see ``sources.SOURCES``) or the code of another
indicator of the same program (its actual value in the same period).  When an indicator's code is also
a source name (e.g. ``members``), the name means the source.  Expressions are parsed with
Python's ``ast`` and only these nodes are accepted, so a formula can never run code.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _


class FormulaError(ValueError):
    """A formula that cannot be used, with the form field to attach the message to."""

    def __init__(self, message: str, *, field: str = "numerator", name: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.name = name


_ALLOWED_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div)


def parse(expression: str, *, field: str = "numerator") -> ast.Expression:
    """Parse an expression, refusing anything but arithmetic over names and numbers."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        raise FormulaError(_("The %(field)s “%(expr)s” is not a valid formula: use names, numbers, + - * / "
                             "and parentheses.") % {"field": _field_label(field), "expr": expression},
                           field=field) from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Expression | ast.Name | ast.Load | ast.BinOp | ast.UnaryOp | ast.USub | ast.UAdd):
            continue
        if isinstance(node, ast.operator) and isinstance(node, _ALLOWED_OPS):
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
            continue
        raise FormulaError(_("The %(field)s “%(expr)s” may only use names, numbers, + - * / and parentheses.")
                           % {"field": _field_label(field), "expr": expression}, field=field)
    return tree


def names(expression: str, *, field: str = "numerator") -> list[str]:
    """The names an expression refers to, in order of first use."""
    tree = parse(expression, field=field)
    return list(dict.fromkeys(n.id for n in ast.walk(tree) if isinstance(n, ast.Name)))


def _field_label(field: str) -> str:
    return _("denominator") if field == "denominator" else _("numerator")


def evaluate(expression: str, values: Mapping[str, Decimal | None], *, field: str = "numerator") -> Decimal | None:
    """Evaluate with the given values; None when a value it needs is missing (not yet reported)."""
    tree = parse(expression, field=field)

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return Decimal(str(node.value))
        if isinstance(node, ast.Name):
            if node.id not in values:
                raise FormulaError(_("The formula refers to “%(name)s”, which is neither a source nor an "
                                     "indicator of this program.") % {"name": node.id}, field=field, name=node.id)
            value = values[node.id]
            return None if value is None else Decimal(value)
        if isinstance(node, ast.UnaryOp):
            inner = walk(node.operand)
            return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
        if isinstance(node, ast.BinOp):
            left, right = walk(node.left), walk(node.right)
            if left is None or right is None:
                return None
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if right == 0:
                return None
            return left / right
        raise FormulaError(_("Unsupported formula."), field=field)  # pragma: no cover - parse() refuses it

    try:
        return walk(tree)
    except InvalidOperation:  # pragma: no cover - defensive
        return None


def compute(*, numerator: str, denominator: str, factor: Decimal,
            values: Mapping[str, Decimal | None]) -> Decimal | None:
    """``numerator / denominator x factor`` (no denominator: ``numerator x factor``); None when undefined."""
    top = evaluate(numerator, values, field="numerator")
    if top is None:
        return None
    if denominator and denominator.strip():
        bottom = evaluate(denominator, values, field="denominator")
        if bottom is None or bottom == 0:
            return None
        top = top / bottom
    return top * Decimal(factor)


def check_references(numerator: str, denominator: str, *, known: set[str],
                     depends_on: Callable[[str], list[str]] | None = None, code: str | None = None,
                     sources: set[str] = frozenset()) -> list[str]:
    """Check that every name is known and that indicator references do not loop back to ``code``.

    A name that is a source (``sources``) means the source, even when an indicator has the same code.
    Returns the names the formula uses.
    """
    refs = []
    for field, expression in (("numerator", numerator), ("denominator", denominator)):
        if not expression or not expression.strip():
            continue
        for name in names(expression, field=field):
            if name not in known:
                raise FormulaError(
                    _("The %(field)s refers to “%(name)s”, which is neither a source nor an indicator of this "
                      "program. Sources: %(sources)s.") % {"field": _field_label(field), "name": name,
                                                           "sources": ", ".join(sorted(sources or known))[:600]},
                    field=field, name=name)
            refs.append(name)
    if code and depends_on is not None:
        indicator_refs = [r for r in refs if r not in sources]
        if code in indicator_refs:
            raise FormulaError(_("The formula of %(code)s refers to itself.") % {"code": code})
        seen: set[str] = set()
        stack = list(indicator_refs)
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            for nxt in depends_on(current):
                if nxt == code:
                    raise FormulaError(_("The formula of %(code)s depends on itself through %(via)s.")
                                       % {"code": code, "via": current})
                stack.append(nxt)
    return refs


def check_indicator_formula(indicator) -> None:
    """Validate a derived indicator's formula against the sources and its program's indicator codes."""
    from .models import Indicator
    from .sources import SOURCES

    others = {i.code: i for i in Indicator.objects.filter(program_id=indicator.program_id).exclude(pk=indicator.pk)}

    def depends_on(code: str) -> list[str]:
        other = others.get(code)
        if other is None or other.method != Indicator.Method.DERIVED:
            return []
        found = []
        for expression in (other.numerator, other.denominator):
            if expression and expression.strip():
                try:
                    found += [n for n in names(expression)
                              if n not in SOURCES and (n in others or n == indicator.code)]
                except FormulaError:
                    pass
        return found

    check_references(indicator.numerator, indicator.denominator,
                     known=set(SOURCES) | set(others) | {indicator.code},
                     depends_on=depends_on, code=indicator.code, sources=set(SOURCES))
