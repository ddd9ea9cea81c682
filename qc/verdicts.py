"""The acceptance rules of the contract (DOMAIN §6), pure: figures in, accept or reject with reasons out.

- Image quality is judged per page and must reach 99.99%.
- Catalogue data and linkage are judged per item and must reach 98%.
- Wrong archival codes, missing pages and incomplete images (content cut off) admit no error at all.
- In GB/T 2828.1 mode the plan's Ac and Re numbers decide on the nonconforming items; the three
  zero-tolerance defects still reject, since the contract excludes them from any acceptable quality level.

Rates are compared as exact fractions: 9,999 good pages of 10,000 is exactly 99.99% and passes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

IMAGE_PASS_RATE = Decimal("99.99")  # percent of pages without an image defect
CATALOGUE_PASS_RATE = Decimal("98")  # percent of items without a catalogue or linkage defect

# Why a sample fails; the views turn these codes into sentences.
IMAGE_RATE = "image_rate"
CATALOGUE_RATE = "catalogue_rate"
CRITICAL = "critical"
REJECT_NUMBER = "reject_number"


@dataclass(frozen=True)
class Findings:
    pages_inspected: int
    pages_defective: int  # pages with at least one image defect
    items_inspected: int
    items_defective: int  # items with at least one catalogue or linkage defect
    units_defective: int  # items with any defect: the nonconforming units of GB/T 2828.1
    critical: int  # defects of the zero-tolerance kinds

    @property
    def image_rate(self) -> Fraction | None:
        return _rate(self.pages_inspected - self.pages_defective, self.pages_inspected)

    @property
    def catalogue_rate(self) -> Fraction | None:
        return _rate(self.items_inspected - self.items_defective, self.items_inspected)


@dataclass(frozen=True)
class Outcome:
    accept: bool
    failures: list[str] = field(default_factory=list)


def _rate(good: int, total: int) -> Fraction | None:
    return Fraction(good * 100, total) if total else None


def percent(rate: Fraction | None) -> Decimal | None:
    """A rate for display, cut (never rounded up) to three decimals: 99.9899% must not read 99.990%."""
    if rate is None:
        return None
    return Decimal(math.floor(rate * 1000)) / 1000


def judge_by_rates(findings: Findings) -> Outcome:
    failures = []
    image, catalogue = findings.image_rate, findings.catalogue_rate
    if image is not None and image < Fraction(IMAGE_PASS_RATE):
        failures.append(IMAGE_RATE)
    if catalogue is not None and catalogue < Fraction(CATALOGUE_PASS_RATE):
        failures.append(CATALOGUE_RATE)
    if findings.critical:
        failures.append(CRITICAL)
    return Outcome(accept=not failures, failures=failures)


def judge_by_plan(findings: Findings, *, accept_number: int, reject_number: int) -> Outcome:
    """Single sampling: accept with Ac nonconforming items or fewer, reject with Re or more."""
    if reject_number != accept_number + 1:
        raise ValueError("a single sampling plan rejects at Ac + 1")
    failures = []
    if findings.units_defective >= reject_number:
        failures.append(REJECT_NUMBER)
    if findings.critical:
        failures.append(CRITICAL)
    return Outcome(accept=not failures, failures=failures)
