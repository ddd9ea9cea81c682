"""Sampling plans as pure functions: the seeded draw and GB/T 2828.1's tables."""

import random
from collections import Counter
from decimal import Decimal

import pytest

from qc import sampling
from qc.sampling import Unit


def _frame(sizes: dict[str, int]) -> list[Unit]:
    units, key = [], 1
    for stratum, size in sizes.items():
        for _ in range(size):
            units.append(Unit(key=key, stratum=stratum))
            key += 1
    return units


# --- Sample size for a rate


@pytest.mark.parametrize(
    ("population", "rate", "size"),
    [
        (100, Decimal("5"), 5),
        (101, Decimal("5"), 6),  # ceil: 5.05 units means six
        (20, Decimal("5"), 1),
        (3, Decimal("5"), 1),  # never fewer than one
        (1, Decimal("5"), 1),
        (40, Decimal("7.5"), 3),
        (10, Decimal("100"), 10),
        (0, Decimal("5"), 0),
    ],
)
def test_the_sample_is_the_rate_of_the_batch_rounded_up_and_at_least_one(population, rate, size):
    assert sampling.size_for_rate(population, rate) == size


# --- The seeded stratified draw


def test_the_same_frame_and_seed_give_the_same_sample():
    units = _frame({"GL01|zhang": 40, "GL01|li": 25, "DY02|zhang": 35})
    first = sampling.draw(units, size=10, seed=20261121)
    again = sampling.draw(list(reversed(units)), size=10, seed=20261121)  # the frame's order does not matter
    assert first == again
    assert len(first.chosen) == len(set(first.chosen)) == 10


def test_another_seed_gives_another_sample():
    units = _frame({"GL01|zhang": 200})
    assert sampling.draw(units, size=10, seed=1).chosen != sampling.draw(units, size=10, seed=2).chosen


def test_the_draw_is_spread_over_strata_in_proportion():
    units = _frame({"GL01|zhang": 60, "GL01|li": 30, "DY02|wang": 10})
    drawn = sampling.draw(units, size=10, seed=7)
    stratum_of = {u.key: u.stratum for u in units}
    assert Counter(stratum_of[key] for key in drawn.chosen) == {"GL01|zhang": 6, "GL01|li": 3, "DY02|wang": 1}
    assert drawn.allocation == {"GL01|zhang": 6, "GL01|li": 3, "DY02|wang": 1}


def test_a_small_stratum_is_not_left_out_when_the_sample_can_cover_every_stratum():
    units = _frame({"GL01|zhang": 97, "DY02|wang": 2, "ZJ01|li": 1})
    allocation = sampling.draw(units, size=5, seed=3).allocation
    assert allocation == {"DY02|wang": 1, "GL01|zhang": 3, "ZJ01|li": 1}


def test_with_fewer_draws_than_strata_the_largest_strata_are_drawn():
    units = _frame({"a": 50, "b": 30, "c": 2, "d": 1})
    assert sampling.draw(units, size=2, seed=5).allocation == {"a": 1, "b": 1, "c": 0, "d": 0}


@pytest.mark.parametrize("seed", range(30))
def test_no_stratum_is_asked_for_more_units_than_it_holds(seed):
    rng = random.Random(seed)
    sizes = {f"s{i}": rng.randint(1, 9) for i in range(rng.randint(1, 8))}
    units = _frame(sizes)
    size = rng.randint(1, len(units))
    drawn = sampling.draw(units, size=size, seed=seed)
    assert sum(drawn.allocation.values()) == len(drawn.chosen) == size
    assert all(drawn.allocation[s] <= sizes[s] for s in sizes)


def test_a_unit_listed_twice_is_refused():
    with pytest.raises(ValueError, match="once"):
        sampling.draw([Unit(1, "a"), Unit(1, "b")], size=1, seed=1)


# --- GB/T 2828.1 Table 1, general inspection level II


@pytest.mark.parametrize(
    ("lot_size", "letter"),
    [
        (2, "A"), (8, "A"), (9, "B"), (15, "B"), (16, "C"), (25, "C"), (26, "D"), (50, "D"), (51, "E"),
        (90, "E"), (91, "F"), (150, "F"), (151, "G"), (280, "G"), (281, "H"), (500, "H"), (501, "J"),
        (1200, "J"), (1201, "K"), (3200, "K"), (3201, "L"), (10000, "L"), (10001, "M"), (35000, "M"),
        (35001, "N"), (150000, "N"), (150001, "P"), (500000, "P"), (500001, "Q"), (5_000_000, "Q"),
    ],
)  # fmt: skip
def test_the_code_letter_follows_table_1_level_ii(lot_size, letter):
    assert sampling.code_letter(lot_size) == letter


def test_sample_sizes_follow_table_2a():
    assert [sampling.SAMPLE_SIZES[letter] for letter in sampling.CODE_LETTERS] == [
        2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000,
    ]  # fmt: skip


# --- GB/T 2828.1 Table 2-A, single sampling, normal inspection


@pytest.mark.parametrize(
    ("letter", "aql", "cell"),
    [
        ("A", "6.5", (0, 1)),
        ("E", "1.0", (0, 1)),
        ("F", "0.65", (0, 1)),
        ("Q", "0.010", (0, 1)),
        ("E", "1.5", "↑"),
        ("E", "2.5", "↓"),
        ("E", "4.0", (1, 2)),
        ("H", "1.0", (1, 2)),
        ("J", "1.0", (2, 3)),
        ("J", "1.5", (3, 4)),
        ("J", "2.5", (5, 6)),
        ("J", "4.0", (7, 8)),
        ("K", "2.5", (7, 8)),
        ("L", "2.5", (10, 11)),
        ("M", "1.5", (10, 11)),
        ("M", "2.5", (14, 15)),
        ("N", "2.5", (21, 22)),
        ("N", "4.0", "↑"),
        ("J", "0.010", "↓"),
    ],
)
def test_table_2a_cells(letter, aql, cell):
    assert sampling.table_2a(letter, aql) == cell


@pytest.mark.parametrize(
    ("lot_size", "aql", "letters", "n", "ac", "re"),
    [
        (1000, "2.5", ("J", "J"), 80, 5, 6),  # the plan every inspector knows: 80 pieces, accept 5
        (1000, "1.0", ("J", "J"), 80, 2, 3),
        (2000, "1.0", ("K", "K"), 125, 3, 4),
        (3000, "0.10", ("K", "K"), 125, 0, 1),
        (100, "0.65", ("F", "F"), 20, 0, 1),
        (60, "0.65", ("E", "F"), 20, 0, 1),  # ↓: the plan below, with its larger sample
        (200, "1.0", ("G", "H"), 50, 1, 2),  # ↓ from G to H
        (70, "1.5", ("E", "D"), 8, 0, 1),  # ↑: the plan above, with its smaller sample
        (50000, "4.0", ("N", "M"), 315, 21, 22),  # ↑ right of N's largest plan
        (20000, "1.5", ("M", "M"), 315, 10, 11),
        (600_000, "0.025", ("Q", "R"), 2000, 1, 2),
    ],
)
def test_single_sampling_plans_follow_the_arrows(lot_size, aql, letters, n, ac, re):
    plan = sampling.single_sampling_plan(lot_size, aql)
    assert (plan.code_letter, plan.plan_letter) == letters
    assert (plan.sample_size, plan.accept, plan.reject) == (n, ac, re)
    assert not plan.inspects_everything


def test_a_sample_as_large_as_the_lot_inspects_every_unit():
    plan = sampling.single_sampling_plan(5, "1.0")  # A, ↓ down to E's 0/1 plan of 13 > 5 items
    assert (plan.plan_letter, plan.sample_size, plan.accept, plan.reject) == ("E", 5, 0, 1)
    assert plan.inspects_everything


def test_row_a_has_no_plan_above_so_its_up_arrow_leads_down():
    plan = sampling.single_sampling_plan(8, "10")
    assert (plan.plan_letter, plan.sample_size, plan.accept, plan.reject) == ("C", 5, 1, 2)


def test_an_aql_outside_the_table_is_refused():
    with pytest.raises(ValueError, match="AQL"):
        sampling.single_sampling_plan(100, "3.0")
