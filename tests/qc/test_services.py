"""Drawing samples, inspecting, deciding: the workflow through qc.services, with its side effects."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from archive_office.models import AuditEvent
from archive_office.roles import Role
from digitization import services as digitization_services
from digitization.models import Batch
from qc import sampling, services
from qc.models import (
    Check,
    Defect,
    ImmutableEvidence,
    Inspection,
    QualitySettings,
    Sample,
    SampleUnit,
    Verdict,
)
from tests.digitization.factories import make_assembled_items
from tests.factories import make_user

from .factories import accept, inspect_all, make_submitted_batch

ALL_PASS = dict.fromkeys(Check.values, True)


@pytest.fixture
def batch(contractor):
    return make_submitted_batch(contractor=contractor, items=make_assembled_items(count=30, page_count=2))


@pytest.fixture
def sample(batch, supervisor):
    return services.draw_sample(batch=batch, user=supervisor, mode=Sample.Mode.ITEM, seed=20261121)


# --- Drawing


def test_a_sample_takes_the_office_rate_of_the_items_rounded_up(batch, supervisor):
    sample = services.draw_sample(batch=batch, user=supervisor, mode=Sample.Mode.ITEM)
    assert QualitySettings.current().sample_rate == Decimal("5.00")
    assert (sample.lot_size, sample.sample_size, sample.rate) == (30, 2, Decimal("5.00"))  # ceil(1.5)
    assert sample.units.count() == 2
    assert sample.round_number == 1
    assert sample.drawn_by == supervisor
    assert 0 <= sample.seed < 2**63


def test_the_recorded_seed_and_frame_reproduce_the_sample(sample):
    recorded = sorted(sample.units.values_list("item_id", flat=True))
    assert list(sample.redraw().chosen) == recorded
    units = [sampling.Unit(key, stratum) for key, stratum in sample.frame]
    assert list(sampling.draw(units, size=sample.sample_size, seed=sample.seed).chosen) == recorded


def test_the_same_seed_draws_the_same_items_again(contractor, supervisor, batch):
    first = services.draw_sample(
        batch=batch, user=supervisor, mode=Sample.Mode.ITEM, rate=Decimal(20), seed=7
    )
    frame_again = [sampling.Unit(k, s) for k, s in first.frame]
    again = sampling.draw(frame_again, size=first.sample_size, seed=7)
    assert set(first.units.values_list("item_id", flat=True)) == set(again.chosen)


def test_strata_are_business_item_and_operator(contractor, supervisor):
    operators = [make_user(role=Role.CONTRACTOR, username=f"op{n}") for n in (1, 2)]
    items = make_assembled_items(count=20, page_count=1, business_item="开户登记")
    batch = make_submitted_batch(contractor=contractor, items=items, operators=operators)
    sample = services.draw_sample(batch=batch, user=supervisor, mode=Sample.Mode.ITEM, rate=Decimal(10))
    assert sample.strata == {"GL01|op1": [10, 1], "GL01|op2": [10, 1]}
    assert sorted(sample.units.values_list("stratum", flat=True)) == ["GL01|op1", "GL01|op2"]


def test_drawing_is_recorded_in_the_audit_log(sample, supervisor):
    event = AuditEvent.objects.for_object(sample).get()
    assert (event.action, event.actor, event.detail["seed"]) == ("create", supervisor, 20261121)


def test_by_volume_every_item_of_a_drawn_volume_is_inspected(contractor, supervisor):
    first = make_assembled_items(count=3, page_count=2, year=2008)
    second = make_assembled_items(count=2, page_count=2, year=2009)
    batch = make_submitted_batch(contractor=contractor, items=first + second)
    sample = services.draw_sample(batch=batch, user=supervisor, mode=Sample.Mode.VOLUME)
    assert (sample.lot_size, sample.sample_size) == (2, 1)
    volume = sample.units.first().volume
    assert volume is not None
    expected = {p.item_id for p in volume.placements.all()}
    assert set(sample.units.values_list("item_id", flat=True)) == expected


def test_by_volume_an_item_in_no_volume_is_a_unit_of_its_own(contractor, supervisor):
    from tests.digitization.factories import make_batch
    from tests.records.factories import make_item

    from .factories import add_linked_pages

    loose = make_item(page_count=1, year=2010)
    batch = make_batch(contractor=contractor, items=[*make_assembled_items(count=2, page_count=1), loose])
    add_linked_pages(batch)
    digitization_services.explain_difference(
        batch_item=loose.batch_item, reason="未组卷的零散文件", handling="单独装盒", user=contractor
    )
    for _ in range(5):
        batch = digitization_services.advance_batch(batch=batch, user=contractor)
    sample = services.draw_sample(batch=batch, user=supervisor, mode=Sample.Mode.VOLUME, rate=Decimal(100))
    assert sample.lot_size == 2
    assert sample.frame[0][0] == -loose.pk  # sorted first, before the volumes
    assert sample.units.get(item=loose).volume is None
    assert sample.units.count() == 3


def test_gb2828_records_the_plan_of_the_lot(batch, supervisor):
    sample = services.draw_sample(batch=batch, user=supervisor, mode=Sample.Mode.GB2828, aql="1.0")
    # 30 items: code letter D, ↓ at AQL 1.0 down to E's 0/1 plan of 13 items.
    assert (sample.code_letter, sample.sample_size, sample.accept_number, sample.reject_number) == (
        "D",
        13,
        0,
        1,
    )
    assert sample.rate is None
    assert sample.units.count() == 13


def test_only_a_submitted_batch_is_sampled(contractor, supervisor):
    from tests.digitization.factories import make_batch

    with pytest.raises(digitization_services.WorkflowError):
        services.draw_sample(batch=make_batch(contractor=contractor), user=supervisor, mode=Sample.Mode.ITEM)


def test_a_second_sample_waits_for_the_verdict_on_the_first(sample, batch, supervisor):
    with pytest.raises(digitization_services.WorkflowError, match=batch.code):
        services.draw_sample(batch=batch, user=supervisor, mode=Sample.Mode.ITEM)
    assert Sample.objects.count() == 1


def test_a_rate_under_five_percent_is_refused(batch, supervisor):
    with pytest.raises(digitization_services.WorkflowError):
        services.draw_sample(batch=batch, user=supervisor, mode=Sample.Mode.ITEM, rate=Decimal("4.99"))


# --- Evidence cannot change


def test_a_sample_cannot_be_saved_again(sample):
    sample.seed = 1
    with pytest.raises(ImmutableEvidence):
        sample.save()


def test_a_sample_cannot_be_deleted(sample):
    with pytest.raises(ImmutableEvidence):
        sample.delete()


@pytest.mark.parametrize("model", [Sample, SampleUnit])
def test_the_database_refuses_to_change_or_delete_evidence(sample, model):
    rows = model.objects.all()
    with pytest.raises(IntegrityError, match="evidence"), transaction.atomic():
        rows.update(id=F("id"))
    with pytest.raises(IntegrityError, match="evidence"), transaction.atomic():
        rows._raw_delete(rows.db)
    assert model.objects.count() == rows.count() > 0


def test_a_verdict_cannot_be_changed(batch, supervisor):
    verdict = accept(batch, supervisor=supervisor)
    with pytest.raises(IntegrityError, match="evidence"), transaction.atomic():
        Verdict.objects.update(decision=Verdict.Decision.REJECT)
    with pytest.raises(ImmutableEvidence):
        verdict.save()


# --- Inspecting


def test_passing_an_item_ticks_every_check(sample, supervisor):
    unit = sample.units.first()
    inspection = services.pass_unit(unit=unit, user=supervisor)
    assert inspection.passed
    assert (inspection.catalogue_ok, inspection.pages_ok, inspection.images_ok, inspection.linking_ok) == (
        True,
        True,
        True,
        True,
    )
    assert inspection.pages_seen == 2


def test_a_defect_fails_its_check_and_the_item(sample, supervisor):
    unit = sample.units.first()
    services.pass_unit(unit=unit, user=supervisor)
    page = unit.item.pages.first()
    defect = services.add_defect(
        unit=unit, user=supervisor, kind=Defect.Kind.SKEW, note="倾斜约2°", page=page
    )
    assert (defect.scope, defect.critical, defect.page_name) == ("image", False, page.image_name)
    inspection = Inspection.objects.get(unit=unit)
    assert (inspection.passed, inspection.images_ok, inspection.catalogue_ok) == (False, False, True)
    services.remove_defect(defect=defect, user=supervisor)
    assert Inspection.objects.get(unit=unit).passed


def test_the_zero_tolerance_kinds_are_critical(sample, supervisor):
    unit = sample.units.first()
    for kind in (Defect.Kind.MISSING_PAGE, Defect.Kind.ARCHIVAL_CODE):
        assert services.add_defect(unit=unit, user=supervisor, kind=kind, note="x").critical
    page = unit.item.pages.first()
    assert services.add_defect(
        unit=unit, user=supervisor, kind=Defect.Kind.CONTENT_CUT, note="x", page=page
    ).critical
    assert not services.add_defect(
        unit=unit, user=supervisor, kind=Defect.Kind.WRONG_FIELD, note="x"
    ).critical


def test_an_item_with_a_defect_cannot_pass(sample, supervisor):
    unit = sample.units.first()
    services.add_defect(unit=unit, user=supervisor, kind=Defect.Kind.WRONG_FIELD, note="题名错字")
    with pytest.raises(digitization_services.WorkflowError):
        services.pass_unit(unit=unit, user=supervisor)
    with pytest.raises(digitization_services.WorkflowError):
        services.record_inspection(unit=unit, user=supervisor, checks=ALL_PASS)
    inspection = services.record_inspection(
        unit=unit, user=supervisor, checks={**ALL_PASS, "catalogue": False}
    )
    assert not inspection.passed


def test_an_unticked_check_needs_its_defect(sample, supervisor):
    with pytest.raises(digitization_services.WorkflowError):
        services.record_inspection(
            unit=sample.units.first(), user=supervisor, checks={**ALL_PASS, "images": False}
        )


def test_an_image_defect_names_an_image_of_the_item(sample, supervisor):
    first, second = sample.units.all()
    with pytest.raises(digitization_services.WorkflowError):
        services.add_defect(unit=first, user=supervisor, kind=Defect.Kind.SKEW, note="x")
    with pytest.raises(digitization_services.WorkflowError):
        services.add_defect(
            unit=first, user=supervisor, kind=Defect.Kind.SKEW, note="x", page=second.item.pages.first()
        )
    with pytest.raises(digitization_services.WorkflowError):
        services.add_defect(
            unit=first, user=supervisor, kind=Defect.Kind.SKEW, note=" ", page=first.item.pages.first()
        )
    assert not Defect.objects.exists()


# --- Deciding


def test_accepting_publishes_the_items_and_counts_the_in_scope_pages(contractor, supervisor):
    in_scope = make_assembled_items(count=3, page_count=2, business_item="开户登记")
    short = make_assembled_items(count=1, page_count=3, business_item="企业月度增减", retention="D10")
    batch = make_submitted_batch(contractor=contractor, items=in_scope + short)
    verdict = accept(batch, supervisor=supervisor)
    batch.refresh_from_db()
    assert batch.step == Batch.Step.ACCEPTED
    assert (verdict.billable_pages, verdict.unit_price, verdict.amount) == (
        6,
        Decimal("0.6100"),
        Decimal("3.66"),
    )
    assert set(services.published_items()) == set(in_scope + short)
    assert digitization_services.ledger([batch]).accepted == 6
    assert batch.events.last().step == Batch.Step.ACCEPTED
    assert AuditEvent.objects.for_object(verdict).get().detail == {"decision": "accept"}


def test_returning_lists_the_defects_for_the_contractor(batch, sample, supervisor):
    inspect_all(sample, inspector=supervisor, defects={1: Defect.Kind.WRONG_FIELD})
    with pytest.raises(digitization_services.WorkflowError, match="98%"):
        services.decide_batch(sample=sample, user=supervisor, decision=Verdict.Decision.ACCEPT)
    verdict = services.decide_batch(
        sample=sample, user=supervisor, decision=Verdict.Decision.REJECT, note="请返工"
    )
    batch.refresh_from_db()
    assert batch.step == Batch.Step.RETURNED
    assert (verdict.items_inspected, verdict.items_defective, verdict.failures) == (2, 1, ["catalogue_rate"])
    assert verdict.billable_pages == 0
    event = batch.events.last()
    assert event.step == Batch.Step.RETURNED
    code = sample.units.get(position=1).item.archival_code
    assert event.note.splitlines()[0] == "请返工"
    assert code in event.note
    assert "见第一页" in event.note
    assert not services.published_items().exists()


def test_after_rework_a_new_round_is_drawn_and_may_accept(batch, sample, contractor, supervisor):
    inspect_all(sample, inspector=supervisor, defects={2: Defect.Kind.MISSING_PAGE})
    services.decide_batch(sample=sample, user=supervisor, decision=Verdict.Decision.REJECT)
    digitization_services.advance_batch(batch=batch, user=contractor, note="已补扫")
    second = accept(batch, supervisor=supervisor)
    assert second.sample.round_number == 2
    assert Batch.objects.get().step == Batch.Step.ACCEPTED
    assert [e.step for e in batch.events.all()][-3:] == ["returned", "submitted", "accepted"]


def test_a_decision_waits_for_every_item_to_be_inspected(sample, supervisor):
    services.pass_unit(unit=sample.units.first(), user=supervisor)
    with pytest.raises(digitization_services.WorkflowError):
        services.decide_batch(sample=sample, user=supervisor, decision=Verdict.Decision.ACCEPT)
    assert not Verdict.objects.exists()


def test_returning_a_sample_that_meets_the_rules_needs_a_reason(sample, supervisor):
    inspect_all(sample, inspector=supervisor)
    with pytest.raises(digitization_services.WorkflowError):
        services.decide_batch(sample=sample, user=supervisor, decision=Verdict.Decision.REJECT)
    verdict = services.decide_batch(
        sample=sample, user=supervisor, decision=Verdict.Decision.REJECT, note="扫描件普遍偏暗"
    )
    assert verdict.failures == []


def test_deciding_twice_is_refused(sample, supervisor):
    inspect_all(sample, inspector=supervisor)
    services.decide_batch(sample=sample, user=supervisor, decision=Verdict.Decision.ACCEPT)
    with pytest.raises(digitization_services.WorkflowError):
        services.decide_batch(sample=sample, user=supervisor, decision=Verdict.Decision.ACCEPT)
    assert Verdict.objects.count() == 1


def test_a_decided_sample_takes_no_more_defects(sample, supervisor):
    inspect_all(sample, inspector=supervisor)
    services.decide_batch(sample=sample, user=supervisor, decision=Verdict.Decision.ACCEPT)
    unit = sample.units.first()
    with pytest.raises(digitization_services.WorkflowError):
        services.add_defect(unit=unit, user=supervisor, kind=Defect.Kind.WRONG_FIELD, note="x")
    with pytest.raises(digitization_services.WorkflowError):
        services.pass_unit(unit=unit, user=supervisor)


def test_one_skewed_page_rejects_by_rate_but_not_by_a_gb2828_plan(contractor, supervisor):
    batch = make_submitted_batch(contractor=contractor, items=make_assembled_items(count=100, page_count=1))
    sample = services.draw_sample(batch=batch, user=supervisor, mode=Sample.Mode.GB2828, aql="2.5")
    assert (sample.code_letter, sample.sample_size, sample.accept_number) == ("F", 20, 1)
    inspect_all(sample, inspector=supervisor, defects={3: Defect.Kind.SKEW})
    outcome = services.judge(sample, services.findings(sample))
    assert outcome.accept
    assert services.findings(sample).image_rate < 100
    verdict = services.decide_batch(sample=sample, user=supervisor, decision=Verdict.Decision.ACCEPT)
    assert (verdict.units_defective, verdict.pages_defective, verdict.billable_pages) == (1, 1, 100)
