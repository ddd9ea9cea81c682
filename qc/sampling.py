"""Sampling plans for quality inspection (DOMAIN §6). Pure: no Django, no database.

Two ways to choose what is inspected in a submitted batch:

- a seeded random draw of at least the office's rate (5%) of the units, spread over strata (business item ×
  operator) in proportion to their size, so every kind of file and every scanner operator is looked at;
- GB/T 2828.1-2012 (identical to ISO 2859-1:1999) single sampling for normal inspection at general
  inspection level II: Table 1 gives the sample size code letter for the lot size, Table 2-A the sample size
  and the acceptance (Ac) and rejection (Re) numbers for the chosen AQL.

Both draws take their randomness from `random.Random(seed)` only, and sort their input first, so the same
frame and seed give the same sample on any machine: the recorded seed is the evidence.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

# --- Seeded stratified draw ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A unit of the sampling frame: an item or a volume (its id) and the stratum it belongs to."""

    key: int
    stratum: str


@dataclass(frozen=True)
class Draw:
    size: int
    allocation: dict[str, int]  # units drawn per stratum
    chosen: tuple[int, ...]  # the keys drawn, ascending


def size_for_rate(population: int, rate_percent: Decimal | Fraction | int) -> int:
    """ceil(rate × N) units, at least one, never more than the population."""
    if population <= 0:
        return 0
    wanted = math.ceil(Fraction(rate_percent) / 100 * population)
    return min(population, max(1, wanted))


def allocate(sizes: dict[str, int], n: int, rng: random.Random) -> dict[str, int]:
    """Share n draws over the strata in proportion to their sizes (largest remainder method).

    When n is at least the number of strata, a stratum left with none takes one from the stratum most
    over-served, so a small stratum (one operator's few files) is never left out. Ties go to the seeded
    generator, not to whichever stratum sorts first.
    """
    strata = sorted(sizes)
    total = sum(sizes.values())
    if not 0 <= n <= total:
        raise ValueError("cannot draw more units than the frame holds")
    tie_break = {s: rng.random() for s in strata}
    quotas = {s: Fraction(n * sizes[s], total) for s in strata}
    allocation = {s: math.floor(quotas[s]) for s in strata}
    left = n - sum(allocation.values())
    by_remainder = sorted(strata, key=lambda s: (allocation[s] - quotas[s], tie_break[s]))
    for s in by_remainder[:left]:
        allocation[s] += 1
    if n >= len(strata):
        for empty in sorted(
            (s for s in strata if not allocation[s]), key=lambda s: (-sizes[s], tie_break[s])
        ):
            donor = max(
                (s for s in strata if allocation[s] > 1),
                key=lambda s: (allocation[s] - quotas[s], tie_break[s]),
            )
            allocation[donor] -= 1
            allocation[empty] += 1
    # A remainder below one adds at most one unit to a quota below the stratum's size.
    assert all(allocation[s] <= sizes[s] for s in strata)
    return allocation


def draw(units: Sequence[Unit], *, size: int, seed: int) -> Draw:
    """Draw `size` units spread proportionally over their strata, reproducibly from `seed`."""
    keys = [unit.key for unit in units]
    if len(set(keys)) != len(keys):
        raise ValueError("each unit may appear in the frame once")
    rng = random.Random(seed)
    by_stratum: dict[str, list[int]] = defaultdict(list)
    for unit in units:
        by_stratum[unit.stratum].append(unit.key)
    allocation = allocate({s: len(k) for s, k in by_stratum.items()}, size, rng)
    chosen: list[int] = []
    for stratum in sorted(by_stratum):
        chosen += rng.sample(sorted(by_stratum[stratum]), allocation[stratum])
    return Draw(size=size, allocation=allocation, chosen=tuple(sorted(chosen)))


# --- GB/T 2828.1 single sampling, normal inspection, general inspection level II ----------------------

CODE_LETTERS = "ABCDEFGHJKLMNPQR"  # the standard skips I and O
# Table 2-A, sample size per code letter.
SAMPLE_SIZES = dict(
    zip(CODE_LETTERS, (2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000), strict=True)
)

# Table 1, column II: the largest lot size of each code letter; larger lots take Q.
LEVEL_II = (
    (8, "A"), (15, "B"), (25, "C"), (50, "D"), (90, "E"), (150, "F"), (280, "G"), (500, "H"),
    (1200, "J"), (3200, "K"), (10000, "L"), (35000, "M"), (150000, "N"), (500000, "P"),
)  # fmt: skip

# Table 2-A's AQL columns in percent nonconforming. The columns above 10 count nonconformities per hundred
# units, which does not apply to judging items as conforming or not, so they are not offered.
AQLS = ("0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40", "0.65", "1.0", "1.5",
        "2.5", "4.0", "6.5", "10")  # fmt: skip

UP, DOWN = "↑", "↓"
# Table 2-A is diagonal: along each row the cells run through this sequence, starting with the row's
# Ac 0 / Re 1 plan. Row A has it at AQL 6.5, each following row one column further left (Q at 0.010).
# ↑: use the first plan above the arrow; ↓: the first plan below it (with that row's sample size).
_ROW_SEQUENCE = ((0, 1), UP, DOWN, (1, 2), (2, 3), (3, 4), (5, 6), (7, 8), (10, 11), (14, 15), (21, 22))
_ZERO_ONE_COLUMN_OF_A = AQLS.index("6.5")


@dataclass(frozen=True)
class Plan:
    lot_size: int
    aql: str
    code_letter: str  # from Table 1
    plan_letter: str  # the row of Table 2-A the arrows led to
    sample_size: int
    accept: int  # Ac: accept the lot with this many nonconforming units or fewer
    reject: int  # Re: reject it with this many or more

    @property
    def inspects_everything(self) -> bool:
        return self.sample_size == self.lot_size


def code_letter(lot_size: int) -> str:
    """GB/T 2828.1 Table 1, general inspection level II."""
    if lot_size < 1:
        raise ValueError("a lot holds at least one unit")
    for largest, letter in LEVEL_II:
        if lot_size <= largest:
            return letter
    return "Q"


def table_2a(letter: str, aql: str) -> tuple[int, int] | str:
    """One cell of GB/T 2828.1 Table 2-A: (Ac, Re), or the arrow printed there."""
    if aql not in AQLS:
        raise ValueError(f"{aql!r} is not an AQL of Table 2-A (percent nonconforming)")
    offset = AQLS.index(aql) - (_ZERO_ONE_COLUMN_OF_A - CODE_LETTERS.index(letter))
    if offset < 0:
        return DOWN  # the arrows above each row's 0/1 plan point down to it
    if offset >= len(_ROW_SEQUENCE):
        return UP  # right of a row's largest plan the table points back up
    return _ROW_SEQUENCE[offset]


def single_sampling_plan(lot_size: int, aql: str) -> Plan:
    """The plan for a lot: code letter, then the cell, following arrows to the plan they point at.

    The two arrows the edges of the table cannot honour (an ↑ in row A, a ↓ in row R) are followed the
    other way; level II never starts in row R, and row A's ↑ (AQL 10) leads to row C's plan (n 5, Ac 1).
    """
    letter = code_letter(lot_size)
    row = CODE_LETTERS.index(letter)
    while not isinstance(cell := table_2a(CODE_LETTERS[row], aql), tuple):
        going_down = cell == DOWN
        if (going_down and row == len(CODE_LETTERS) - 1) or (not going_down and row == 0):
            going_down = not going_down
        row += 1 if going_down else -1
    accept, reject = cell
    plan_letter = CODE_LETTERS[row]
    # Table 2-A, note to ↓: when the sample size equals or exceeds the lot size, inspect every unit.
    return Plan(
        lot_size=lot_size,
        aql=aql,
        code_letter=letter,
        plan_letter=plan_letter,
        sample_size=min(SAMPLE_SIZES[plan_letter], lot_size),
        accept=accept,
        reject=reject,
    )
