"""Progress of an indicator against its target: on track, at risk, off track.

Progress is the share of the planned change achieved::

    progress = (actual - baseline) / (target - baseline)        (baseline known and different from target)
    progress = actual / target                                  (no baseline; "lower is better": target / actual)

and the status follows documented thresholds: **on track** when progress >= 90%, **at risk** when
progress >= 70%, **off track** below.  A period without target or actual has no status.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

ON_TRACK = Decimal("0.9")
AT_RISK = Decimal("0.7")

STATUS_LABELS = {
    "on_track": _("On track"),
    "at_risk": _("At risk"),
    "off_track": _("Off track"),
    "no_data": _("No data"),
}


@dataclass(frozen=True)
class Progress:
    ratio: Decimal | None
    status: str

    @property
    def label(self):
        return STATUS_LABELS[self.status]

    @property
    def percent(self) -> int | None:
        return None if self.ratio is None else int((self.ratio * 100).to_integral_value())


def progress_ratio(*, actual, target, baseline=None, lower_is_better: bool = False) -> Decimal | None:
    if actual is None or target is None:
        return None
    actual, target = Decimal(actual), Decimal(target)
    if baseline is not None and Decimal(baseline) != target:
        baseline = Decimal(baseline)
        return (actual - baseline) / (target - baseline)
    if lower_is_better:
        if actual == 0:
            return Decimal(1) if target >= 0 else None
        return target / actual
    if target == 0:
        return Decimal(1) if actual >= 0 else Decimal(0)
    return actual / target


def status_for(ratio: Decimal | None) -> str:
    if ratio is None:
        return "no_data"
    if ratio >= ON_TRACK:
        return "on_track"
    if ratio >= AT_RISK:
        return "at_risk"
    return "off_track"


def progress_of(period) -> Progress:
    from .models import Direction

    indicator = period.indicator
    ratio = progress_ratio(actual=period.actual, target=period.target, baseline=indicator.baseline_value,
                           lower_is_better=indicator.direction == Direction.DECREASE)
    return Progress(ratio=ratio, status=status_for(ratio))
