"""Quality inspection workflows: drawing a sample, recording inspections and defects, deciding on a batch.

Each is one transaction with its audit record. A decision moves the batch: accepted (its items are then
published to search and its in-scope pages counted for payment), or returned to the contractor with the
defect list; after rework and a new submission, the next round is drawn.
"""

from __future__ import annotations

import secrets
from collections import Counter, defaultdict
from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from archive_office import audit
from archive_office.models import AuditEvent, User
from digitization.models import Batch, BatchEvent, Page
from digitization.services import WorkflowError
from records.models import Item, Placement

from . import sampling, verdicts
from .models import MIN_SAMPLE_RATE, Check, Defect, Inspection, QualitySettings, Sample, SampleUnit, Verdict

# Accepted work is published to search; boxing comes after acceptance and keeps it published.
PUBLISHED_STEPS = (Batch.Step.ACCEPTED, Batch.Step.BOXED)
NO_OPERATOR = "-"


def published_items() -> QuerySet[Item]:
    """Items whose images are published to search: those of accepted (and later boxed) batches."""
    return Item.objects.filter(batch_item__batch__step__in=PUBLISHED_STEPS)


# Drawing a sample


def _operators_by_item(batch: Batch) -> dict[int, str]:
    """Each item's operator: the user name of whoever scanned most of its pages."""
    counts = (
        Page.objects.whole()
        .filter(batch=batch, item__isnull=False)
        .values_list("item_id", "operator__username")
        .annotate(n=Count("id"))
        .order_by()
    )
    operators: dict[int, str] = {}
    for item_id, operator, _n in sorted(counts, key=lambda row: (row[0], -row[2], row[1] or "")):
        operators.setdefault(item_id, operator or NO_OPERATOR)
    return operators


def _frame(batch: Batch, mode: str) -> tuple[list[sampling.Unit], dict[int, list[int]]]:
    """The sampling frame of a batch, and for each unit the items it brings into the sample.

    By item (and GB/T 2828.1): every item of the batch, stratified by business item × operator. By volume:
    every volume holding an item of the batch, stratified by business category × its most frequent operator;
    an item in no volume yet stands as a unit of its own (keyed by its id negated, apart from volume ids).
    """
    operators = _operators_by_item(batch)
    items = batch.batch_items.values_list(
        "item_id", "item__business_item__code", "item__business_category__code"
    )
    items = items.order_by("item_id")
    if mode != Sample.Mode.VOLUME:
        units = [
            sampling.Unit(key=item_id, stratum=f"{code}|{operators.get(item_id, NO_OPERATOR)}")
            for item_id, code, _category in items
        ]
        return units, {unit.key: [unit.key] for unit in units}
    members: dict[int, list[int]] = defaultdict(list)
    categories: dict[int, str] = {}
    placements = (
        Placement.objects.filter(item__batch_item__batch=batch)
        .values_list("volume_id", "item_id", "volume__business_category__code")
        .order_by("volume_id", "item_id")
    )
    for volume_id, item_id, category in placements:
        members[volume_id].append(item_id)
        categories[volume_id] = category
    placed = {item_id for item_ids in members.values() for item_id in item_ids}
    for item_id, _code, category in items:
        if item_id not in placed:
            members[-item_id].append(item_id)
            categories[-item_id] = category
    units = []
    for key, item_ids in sorted(members.items()):
        operator = Counter(operators.get(i, NO_OPERATOR) for i in item_ids).most_common(1)[0][0]
        units.append(sampling.Unit(key=key, stratum=f"{categories[key]}|{operator}"))
    return units, dict(members)


@transaction.atomic
def draw_sample(
    *,
    batch: Batch,
    user: User,
    mode: str,
    rate: Decimal | None = None,
    aql: str = "",
    seed: int | None = None,
) -> Sample:
    """Draw the next round's sample of a submitted batch and keep it, with its seed, as evidence."""
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if batch.step != Batch.Step.SUBMITTED:
        raise WorkflowError(_("Only a batch submitted for inspection can be sampled."))
    if batch.samples.open().exists():
        raise WorkflowError(
            _("Batch %(batch)s already has a sample waiting for its verdict.") % {"batch": batch}
        )
    if mode not in Sample.Mode.values:
        raise WorkflowError(_("Choose how to sample."))
    office = QualitySettings.current()
    units, members = _frame(batch, mode)
    if not units:
        raise WorkflowError(_("The batch has no items to sample."))
    seed = secrets.randbits(63) if seed is None else seed
    plan = None
    if mode == Sample.Mode.GB2828:
        aql = aql or office.default_aql
        if aql not in sampling.AQLS:
            raise WorkflowError(_("Choose an AQL of GB/T 2828.1 Table 2-A."))
        plan = sampling.single_sampling_plan(len(units), aql)
        size = plan.sample_size
    else:
        rate = office.sample_rate if rate is None else rate
        if not MIN_SAMPLE_RATE <= rate <= 100:
            raise WorkflowError(_("The sample rate must be between 5% and 100%."))
        size = sampling.size_for_rate(len(units), rate)
    drawn = sampling.draw(units, size=size, seed=seed)
    sizes = Counter(unit.stratum for unit in units)
    sample = Sample.objects.create(
        batch=batch,
        round_number=batch.samples.count() + 1,
        mode=mode,
        seed=seed,
        lot_size=len(units),
        rate=None if plan else rate,
        aql=plan.aql if plan else "",
        code_letter=plan.code_letter if plan else "",
        sample_size=size,
        accept_number=plan.accept if plan else None,
        reject_number=plan.reject if plan else None,
        frame=[[unit.key, unit.stratum] for unit in units],
        strata={stratum: [sizes[stratum], drawn.allocation[stratum]] for stratum in sorted(sizes)},
        drawn_by=user,
    )
    _create_units(sample, units, members, drawn.chosen, by_volume=mode == Sample.Mode.VOLUME)
    audit.record(action=AuditEvent.Action.CREATE, actor=user, target=sample, mode=mode, seed=seed, size=size)
    return sample


def _create_units(
    sample: Sample,
    units: list[sampling.Unit],
    members: dict[int, list[int]],
    chosen: tuple[int, ...],
    *,
    by_volume: bool,
) -> None:
    stratum_of = {unit.key: unit.stratum for unit in units}
    rows: dict[int, tuple[int | None, str]] = {}
    for key in chosen:
        for item_id in members[key]:  # an item spanning two drawn volumes is inspected once
            rows.setdefault(item_id, (key if by_volume and key > 0 else None, stratum_of[key]))
    codes = dict(Item.objects.filter(pk__in=rows).values_list("pk", "archival_code"))
    ordered = sorted(rows, key=lambda item_id: codes[item_id])
    SampleUnit.objects.bulk_create(
        SampleUnit(
            sample=sample,
            position=position,
            item_id=item_id,
            volume_id=rows[item_id][0],
            stratum=rows[item_id][1],
        )
        for position, item_id in enumerate(ordered, start=1)
    )


# Inspecting


def _require_open(sample: Sample) -> None:
    if Verdict.objects.filter(sample=sample).exists():
        raise WorkflowError(
            _("Round %(round)d of batch %(batch)s is decided; its inspection can no longer change.")
            % {"round": sample.round_number, "batch": sample.batch.code}
        )


def failed_checks(unit: SampleUnit) -> set[str]:
    return {Defect.RULES[kind][0] for kind in unit.defects.values_list("kind", flat=True)}


def _sync_inspection(unit: SampleUnit) -> None:
    """After a defect is added or removed, an inspection already recorded follows the defects."""
    inspection = Inspection.objects.filter(unit=unit).first()
    if inspection is None:
        return
    failed = failed_checks(unit)
    for check, field in Inspection.CHECK_FIELDS.items():
        setattr(inspection, field, check not in failed)
    inspection.passed = not failed
    inspection.save()


@transaction.atomic
def record_inspection(
    *, unit: SampleUnit, user: User, checks: Mapping[str, bool], note: str = ""
) -> Inspection:
    """Record the checklist of one sampled item; every unticked check must rest on a recorded defect."""
    _require_open(unit.sample)
    failed = failed_checks(unit)
    for check in Check:
        ticked = bool(checks.get(check))
        if ticked and check in failed:
            raise WorkflowError(
                _("“%(check)s” cannot be ticked: a defect of that kind is recorded.") % {"check": check.label}
            )
        if not ticked and check not in failed:
            raise WorkflowError(
                _("“%(check)s” is not ticked: record the defect found, or tick it.") % {"check": check.label}
            )
    inspection, created = Inspection.objects.update_or_create(
        unit=unit,
        defaults={
            "inspector": user,
            "inspected_at": timezone.now(),
            **{field: check not in failed for check, field in Inspection.CHECK_FIELDS.items()},
            "pages_seen": Page.objects.whole().filter(item_id=unit.item_id).count(),
            "passed": not failed,
            "note": note.strip(),
        },
    )
    action = AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE
    audit.record(action=action, actor=user, target=inspection, passed=inspection.passed)
    return inspection


def pass_unit(*, unit: SampleUnit, user: User) -> Inspection:
    """The one-key pass: every check ticked, no defect."""
    if unit.defects.exists():
        raise WorkflowError(_("Defects are recorded for this item: it cannot pass."))
    return record_inspection(unit=unit, user=user, checks=dict.fromkeys(Check.values, True))


@transaction.atomic
def add_defect(*, unit: SampleUnit, user: User, kind: str, note: str, page: Page | None = None) -> Defect:
    _require_open(unit.sample)
    if kind not in Defect.Kind.values:
        raise WorkflowError(_("Choose a defect type."))
    _check, scope, critical = Defect.RULES[kind]
    if not note.strip():
        raise WorkflowError(_("Describe the defect in a note."))
    if page is not None and page.item_id != unit.item_id:
        raise WorkflowError(_("That image does not belong to this item."))
    if scope == Defect.Scope.IMAGE and page is None:
        raise WorkflowError(_("An image defect is recorded on an image: choose the image."))
    defect = Defect.objects.create(
        unit=unit,
        page=page,
        page_name=page.image_name if page else "",
        kind=kind,
        scope=scope,
        critical=critical,
        note=note.strip(),
        recorded_by=user,
    )
    _sync_inspection(unit)
    audit.record(action=AuditEvent.Action.CREATE, actor=user, target=defect, kind=kind, page=defect.page_name)
    return defect


@transaction.atomic
def remove_defect(*, defect: Defect, user: User) -> None:
    unit = defect.unit
    _require_open(unit.sample)
    audit.record(
        action=AuditEvent.Action.DELETE, actor=user, target=defect, kind=defect.kind, note=defect.note
    )
    defect.delete()
    _sync_inspection(unit)


# Deciding


def findings(sample: Sample) -> verdicts.Findings:
    """The sample's figures: pages and items inspected, and those with defects, by the contract's rules."""
    defects = Defect.objects.filter(unit__sample=sample)
    inspected = Inspection.objects.filter(unit__sample=sample).aggregate(
        items=Count("id"), pages=Sum("pages_seen")
    )
    return verdicts.Findings(
        pages_inspected=inspected["pages"] or 0,
        pages_defective=defects.filter(scope=Defect.Scope.IMAGE)
        .values("unit_id", "page_name")
        .distinct()
        .count(),
        items_inspected=inspected["items"],
        items_defective=defects.filter(scope=Defect.Scope.CATALOGUE).values("unit_id").distinct().count(),
        units_defective=defects.values("unit_id").distinct().count(),
        critical=defects.filter(critical=True).count(),
    )


def judge(sample: Sample, found: verdicts.Findings) -> verdicts.Outcome:
    if sample.mode == Sample.Mode.GB2828:
        return verdicts.judge_by_plan(
            found, accept_number=sample.accept_number or 0, reject_number=sample.reject_number or 1
        )
    return verdicts.judge_by_rates(found)


def failure_text(code: str) -> str:
    return {
        verdicts.IMAGE_RATE: _("Image quality is below %(rate)s of pages.") % {"rate": "99.99%"},
        verdicts.CATALOGUE_RATE: _("Catalogue data and linkage are below %(rate)s of items.")
        % {"rate": "98%"},
        verdicts.CRITICAL: _(
            "A defect that admits no error: archival code, missing page or cut-off content."
        ),
        verdicts.REJECT_NUMBER: _("Nonconforming items reach the rejection number Re."),
    }[code]


def defect_list(sample: Sample) -> list[str]:
    """One line per defect, as the contractor reads it in the batch's history."""
    defects = (
        Defect.objects.filter(unit__sample=sample)
        .select_related("unit__item")
        .order_by("unit__position", "id")
    )
    return [
        " ".join(filter(None, [d.unit.item.archival_code, d.page_name, f"{d.get_kind_display()}: {d.note}"]))
        for d in defects
    ]


@transaction.atomic
def decide_batch(*, sample: Sample, user: User, decision: str, note: str = "") -> Verdict:
    """Accept or return the batch on the sample's figures; the rules may forbid accepting, never returning."""
    batch = Batch.objects.select_for_update().get(pk=sample.batch_id)
    if Verdict.objects.filter(sample=sample).exists():
        raise WorkflowError(_("This sample is decided already."))
    if batch.step != Batch.Step.SUBMITTED:
        raise WorkflowError(_("Batch %(batch)s is not waiting for inspection.") % {"batch": batch})
    if decision not in Verdict.Decision.values:
        raise WorkflowError(_("Choose to accept or to return the batch."))
    if sample.units.filter(inspection__isnull=True).exists():
        raise WorkflowError(_("Inspect every sampled item before deciding."))
    found = findings(sample)
    outcome = judge(sample, found)
    accept = decision == Verdict.Decision.ACCEPT
    if accept and not outcome.accept:
        reasons = " ".join(failure_text(code) for code in outcome.failures)
        raise WorkflowError(_("The batch cannot be accepted: %(reasons)s") % {"reasons": reasons})
    if not accept and outcome.accept and not note.strip():
        raise WorkflowError(_("The figures meet the rules: say why the batch is returned."))
    office = QualitySettings.current()
    billable = (
        Page.objects.whole().filter(batch=batch, item__isnull=False, item__batch_item__in_scope=True).count()
        if accept
        else 0
    )
    verdict = Verdict.objects.create(
        sample=sample,
        batch=batch,
        decision=decision,
        pages_inspected=found.pages_inspected,
        pages_defective=found.pages_defective,
        items_inspected=found.items_inspected,
        items_defective=found.items_defective,
        units_defective=found.units_defective,
        critical_defects=found.critical,
        failures=outcome.failures,
        billable_pages=billable,
        unit_price=office.unit_price if accept else Decimal(0),
        decided_by=user,
        note=note.strip(),
    )
    batch.step = Batch.Step.ACCEPTED if accept else Batch.Step.RETURNED
    batch.save(update_fields=["step"])
    event_note = "\n".join(filter(None, [note.strip(), *([] if accept else defect_list(sample))]))
    BatchEvent.objects.create(batch=batch, step=batch.step, actor=user, note=event_note)
    audit.record(action=AuditEvent.Action.CREATE, actor=user, target=verdict, decision=decision)
    audit.record(action=AuditEvent.Action.UPDATE, actor=user, target=batch, step=batch.step)
    return verdict
