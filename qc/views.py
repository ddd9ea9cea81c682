from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from archive_office import audit
from archive_office.lib.paging import paginate
from archive_office.models import AuditEvent
from digitization.models import Batch, Page
from digitization.services import WorkflowError

from . import billing, dashboard, sampling, services, verdicts
from .forms import DecisionForm, DefectForm, DrawForm, InspectionForm
from .models import Check, Defect, Inspection, QualitySettings, Sample, SampleUnit, Verdict

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The workspace's number keys choose defect types in the vocabulary's order: 1-9, then 0.
DEFECT_KEYS = "1234567890"


def _get_sample_for_user(request: HttpRequest, pk: int) -> Sample:
    samples = Sample.objects.for_user(request.user).select_related("batch__contractor", "drawn_by")
    return get_object_or_404(samples, pk=pk)


def _get_unit_for_user(request: HttpRequest, pk: int) -> SampleUnit:
    units = SampleUnit.objects.filter(sample__in=Sample.objects.for_user(request.user))
    return get_object_or_404(units.select_related("sample__batch", "item", "volume"), pk=pk)


def _verdict_of(sample: Sample) -> Verdict | None:
    return Verdict.objects.filter(sample=sample).select_related("decided_by").first()


@require_GET
@permission_required("qc.view_sample", raise_exception=True)
def sample_list(request: HttpRequest) -> HttpResponse:
    samples = (
        Sample.objects.for_user(request.user)
        .select_related("batch__contractor", "drawn_by", "verdict")
        .annotate(
            units_total=Count("units", distinct=True), units_done=Count("units__inspection", distinct=True)
        )
    )
    waiting = Batch.objects.none()
    if request.user.has_perm("qc.add_sample"):
        open_sample = Sample.objects.open().filter(batch=OuterRef("pk"))
        waiting = Batch.objects.filter(step=Batch.Step.SUBMITTED).exclude(Exists(open_sample))
        waiting = (
            waiting.select_related("contractor").annotate(items=Count("batch_items")).order_by("created_at")
        )
    page = paginate(samples, request.GET.get("page"), PAGE_SIZE)
    return render(request, "qc/sample_list.html", {"page": page, "waiting": waiting})


@require_http_methods(["GET", "POST"])
@permission_required("qc.add_sample", raise_exception=True)
def sample_draw(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(Batch.objects.for_user(request.user).select_related("contractor"), pk=pk)
    office = QualitySettings.current()
    initial = {"mode": Sample.Mode.ITEM, "rate": office.sample_rate, "aql": office.default_aql}
    form = DrawForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sample = services.draw_sample(batch=batch, user=request.user, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Drew %(n)d items of batch %(batch)s.") % {"n": sample.units.count(), "batch": batch},
            )
            return redirect(sample)
    items = batch.batch_items.count()
    plans = [sampling.single_sampling_plan(items, aql) for aql in sampling.AQLS] if items else []
    context = {"batch": batch, "form": form, "office": office, "items": items, "plans": plans}
    return render(request, "qc/sample_draw.html", context)


@require_GET
@permission_required("qc.view_sample", raise_exception=True)
def sample_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sample = _get_sample_for_user(request, pk)
    units = list(
        sample.units.select_related("item", "volume", "inspection__inspector").annotate(
            defect_count=Count("defects")
        )
    )
    found = services.findings(sample)
    outcome = services.judge(sample, found)
    context = {
        "sample": sample,
        "units": units,
        "defects": Defect.objects.filter(unit__sample=sample).select_related("unit__item", "recorded_by"),
        "found": found,
        "image_rate": verdicts.percent(found.image_rate),
        "catalogue_rate": verdicts.percent(found.catalogue_rate),
        "outcome": outcome,
        "failures": [services.failure_text(code) for code in outcome.failures],
        "verdict": _verdict_of(sample),
        "uninspected": sum(1 for unit in units if not hasattr(unit, "inspection")),
        "decision_form": DecisionForm(initial={"decision": "accept" if outcome.accept else "reject"}),
    }
    return render(request, "qc/sample_detail.html", context)


def _workspace_context(unit: SampleUnit) -> dict[str, object]:
    defects = list(unit.defects.all())
    failed = {defect.failed_check for defect in defects}
    return {
        "unit": unit,
        "decided": Verdict.objects.filter(sample_id=unit.sample_id).exists(),
        "defects": defects,
        "checklist": [(check, check not in failed) for check in Check],
        "inspection": Inspection.objects.filter(unit=unit).select_related("inspector").first(),
        "kinds": [
            (key, kind, label, Defect.RULES[kind][1])
            for key, (kind, label) in zip(DEFECT_KEYS, Defect.Kind.choices, strict=True)
        ],
    }


@require_GET
@permission_required("qc.add_inspection", raise_exception=True)
def unit_inspect(request: HttpRequest, pk: int) -> HttpResponse:
    """The inspection workspace: catalogue fields beside the page images, the checklist and the defects."""
    unit = _get_unit_for_user(request, pk)
    item = unit.item
    pages = list(Page.objects.whole().filter(item=item).order_by("sequence"))
    siblings = list(unit.sample.units.values_list("pk", flat=True))
    here = siblings.index(unit.pk)
    context = {
        **_workspace_context(unit),
        "item": item,
        "persons": item.persons.all(),
        "placements": item.placements.select_related(
            "volume__fonds", "volume__retention", "volume__business_category"
        ),
        "fields": _catalogue_fields(item),
        "images": [
            {
                "id": p.pk,
                "name": p.image_name or p.original_name,
                "url": reverse("digitization:page_image", args=[p.pk, "derivative"]),
            }
            for p in pages
        ],
        "start": _image_index(request.GET.get("image", ""), len(pages)),
        "previous_unit": siblings[here - 1] if here > 0 else None,
        "next_unit": siblings[here + 1] if here + 1 < len(siblings) else None,
        "position": here + 1,
        "total": len(siblings),
    }
    return render(request, "qc/workspace.html", context)


def _image_index(raw: str, count: int) -> int:
    """The image to open on: the one shown before a defect was recorded without JavaScript."""
    return min(int(raw), max(count - 1, 0)) if raw.isdigit() else 0


def _catalogue_fields(item: object) -> list[tuple[str, object]]:
    names = [
        "archival_code", "fonds", "year", "retention", "business_category", "business_item", "item_number",
        "title", "creator", "date", "document_number", "page_count", "keywords", "classification", "openness",
        "employer_code", "employer_name", "serial_number", "handler", "handled_on", "remarks",
    ]  # fmt: skip
    meta = item._meta  # type: ignore[attr-defined]
    return [(meta.get_field(name).verbose_name, getattr(item, name)) for name in names]


def _panel(request: HttpRequest, unit: SampleUnit) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "qc/workspace.html#panel", _workspace_context(unit))
    image = request.POST.get("image", "")
    return redirect(
        f"{unit.get_absolute_url()}?image={image}" if image.isdigit() else unit.get_absolute_url()
    )


@require_POST
@permission_required("qc.add_defect", raise_exception=True)
def defect_add(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _get_unit_for_user(request, pk)
    form = DefectForm(request.POST)
    try:
        if not form.is_valid():
            raise WorkflowError(" ".join(e for errors in form.errors.values() for e in errors))
        page_id = form.cleaned_data["page"] if form.cleaned_data["on_image"] else None
        page = Page.objects.filter(pk=page_id, item_id=unit.item_id).first() if page_id else None
        services.add_defect(
            unit=unit,
            user=request.user,
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data["note"],
            page=page,
        )
    except WorkflowError as error:
        messages.error(request, str(error))
    return _panel(request, unit)


@require_POST
@permission_required("qc.delete_defect", raise_exception=True)
def defect_remove(request: HttpRequest, pk: int) -> HttpResponse:
    defect = get_object_or_404(
        Defect.objects.filter(unit__sample__in=Sample.objects.for_user(request.user)), pk=pk
    )
    try:
        services.remove_defect(defect=defect, user=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
    return _panel(request, defect.unit)


@require_POST
@permission_required("qc.add_inspection", raise_exception=True)
def unit_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the checklist (or pass the item with one key) and go on to the next item not yet inspected."""
    unit = _get_unit_for_user(request, pk)
    form = InspectionForm(request.POST)
    form.is_valid()
    try:
        if request.POST.get("pass"):
            services.pass_unit(unit=unit, user=request.user)
        else:
            services.record_inspection(
                unit=unit, user=request.user, checks=form.checks(), note=form.cleaned_data.get("note", "")
            )
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(unit)
    waiting = unit.sample.units.filter(inspection__isnull=True)
    following = waiting.filter(position__gt=unit.position).first() or waiting.first()
    return redirect(following or unit.sample)


@require_POST
@permission_required("qc.add_verdict", raise_exception=True)
def sample_decide(request: HttpRequest, pk: int) -> HttpResponse:
    sample = _get_sample_for_user(request, pk)
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise WorkflowError(_("Choose to accept or to return the batch."))
        verdict = services.decide_batch(sample=sample, user=request.user, **form.cleaned_data)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Batch %(batch)s: %(decision)s.")
            % {"batch": sample.batch, "decision": verdict.get_decision_display()},
        )
    return redirect(sample)


@require_GET
@permission_required("qc.view_dashboard", raise_exception=True)
def quality_dashboard(request: HttpRequest) -> HttpResponse:
    figures = dashboard.dashboard()
    labels = {"pass_rate": _("Pass rate"), "rework_rate": _("Rework rate")}
    charts = {"daily": figures["daily"], "weekly": figures["weekly"], "labels": labels}
    return render(request, "qc/dashboard.html", {**figures, "charts": charts})


@require_GET
@permission_required("qc.view_billing", raise_exception=True)
def billing_statement(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    month = billing.parse_month(request.GET.get("month"), today)
    office = QualitySettings.current()
    months = _months(office.contract_start.replace(day=1), today.replace(day=1))
    context = {"statement": billing.monthly_statement(month), "months": months, "office": office}
    return render(request, "qc/billing.html", context)


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = billing.next_month(month)
    return months[::-1]


@require_GET
@permission_required("qc.view_billing", raise_exception=True)
def billing_download(request: HttpRequest, fmt: str) -> HttpResponse:
    statement = billing.monthly_statement(billing.parse_month(request.GET.get("month"), timezone.localdate()))
    name = f"billing-{statement.month:%Y-%m}.{fmt}"
    if fmt == "pdf":
        response = HttpResponse(billing.render_pdf(statement), content_type="application/pdf")
    else:
        response = HttpResponse(content_type=XLSX)
        billing.write_xlsx(statement, response)
    response["Content-Disposition"] = content_disposition_header(fmt == "xlsx", name)
    audit.record(
        action=AuditEvent.Action.EXPORT, request=request, statement=f"{statement.month:%Y-%m}", format=fmt
    )
    return response
