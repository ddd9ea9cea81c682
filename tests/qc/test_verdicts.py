"""The contract's acceptance rules at their thresholds: exactly at passes, just under fails."""

from decimal import Decimal

import pytest

from qc import verdicts
from qc.verdicts import Findings


def _findings(**figures: int) -> Findings:
    defaults = dict(
        pages_inspected=100,
        pages_defective=0,
        items_inspected=50,
        items_defective=0,
        units_defective=0,
        critical=0,
    )
    return Findings(**{**defaults, **figures})


def test_a_clean_sample_is_accepted():
    assert verdicts.judge_by_rates(_findings()) == verdicts.Outcome(accept=True, failures=[])


def test_image_quality_exactly_at_99_99_percent_passes():
    found = _findings(pages_inspected=10_000, pages_defective=1)  # 9,999 of 10,000
    assert verdicts.percent(found.image_rate) == Decimal("99.990")
    assert verdicts.judge_by_rates(found).accept


def test_image_quality_just_under_99_99_percent_fails():
    found = _findings(pages_inspected=9_999, pages_defective=1)  # 99.98999...%
    assert verdicts.percent(found.image_rate) == Decimal("99.989")  # cut, never rounded up to 99.990
    assert verdicts.judge_by_rates(found).failures == [verdicts.IMAGE_RATE]


def test_one_bad_page_in_an_ordinary_sample_fails_image_quality():
    assert not verdicts.judge_by_rates(_findings(pages_inspected=400, pages_defective=1)).accept


def test_catalogue_and_linkage_exactly_at_98_percent_pass():
    found = _findings(items_inspected=50, items_defective=1)  # 49 of 50
    assert verdicts.percent(found.catalogue_rate) == Decimal("98.000")
    assert verdicts.judge_by_rates(found).accept


def test_catalogue_and_linkage_just_under_98_percent_fail():
    found = _findings(items_inspected=49, items_defective=1)  # 97.96%
    assert verdicts.judge_by_rates(found).failures == [verdicts.CATALOGUE_RATE]


@pytest.mark.parametrize("judge", ["rates", "plan"])
def test_a_single_zero_tolerance_defect_rejects_whatever_the_rates(judge):
    # One missing page among 5,000 items would still leave catalogue quality at 99.98%.
    found = _findings(items_inspected=5_000, items_defective=1, units_defective=1, critical=1)
    if judge == "rates":
        outcome = verdicts.judge_by_rates(found)
    else:
        outcome = verdicts.judge_by_plan(found, accept_number=5, reject_number=6)
    assert outcome.failures == [verdicts.CRITICAL]


def test_gb2828_accepts_at_the_acceptance_number():
    found = _findings(pages_defective=3, units_defective=5)
    assert verdicts.judge_by_plan(found, accept_number=5, reject_number=6).accept


def test_gb2828_rejects_at_the_rejection_number():
    found = _findings(units_defective=6)
    outcome = verdicts.judge_by_plan(found, accept_number=5, reject_number=6)
    assert outcome.failures == [verdicts.REJECT_NUMBER]


def test_gb2828_mode_is_decided_by_its_numbers_not_the_rates():
    # Two bad images of 80 pages (97.5%) are within Ac 2 of the n 80 plan.
    found = _findings(pages_inspected=80, pages_defective=2, units_defective=2)
    assert verdicts.judge_by_plan(found, accept_number=2, reject_number=3).accept
    assert not verdicts.judge_by_rates(found).accept


def test_a_sample_without_pages_has_no_image_rate():
    found = _findings(pages_inspected=0)
    assert found.image_rate is None
    assert verdicts.percent(found.image_rate) is None
    assert verdicts.judge_by_rates(found).accept
