from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from archive_office import audit
from archive_office.lib.paging import paginate
from archive_office.models import AuditEvent
from records.models import Item

from . import files, packaging, services, tasks
from .forms import BatchForm, DifferenceForm, LinkForm, NoteForm, NumberingForm
from .models import Batch, BatchItem, Package, Page

PAGE_SIZE = 50
CONTRACT_PAGES = 737_000  # DOMAIN §1: the contract's estimate of the pages to digitize


def _get_batch_for_user(request: HttpRequest, pk: int) -> Batch:
    return get_object_or_404(Batch.objects.for_user(request.user).select_related("contractor"), pk=pk)


def _get_page_for_user(request: HttpRequest, pk: int) -> Page:
    return get_object_or_404(Page.objects.for_user(request.user).select_related("batch", "item"), pk=pk)


def _back_to(page: Page) -> HttpResponse:
    return redirect(page)


@require_GET
@permission_required("digitization.view_batch", raise_exception=True)
def batch_list(request: HttpRequest) -> HttpResponse:
    batches = Batch.objects.for_user(request.user).select_related("contractor").with_ledger()
    step = request.GET.get("step", "")
    if step in Batch.Step.values:
        batches = batches.filter(step=step)
    page = paginate(batches, request.GET.get("page"), PAGE_SIZE)
    ledger = services.ledger(Batch.objects.for_user(request.user))
    context = {"page": page, "ledger": ledger, "steps": Batch.Step.choices, "step": step}
    return render(request, "digitization/batch_list.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("digitization.add_batch", raise_exception=True)
def batch_create(request: HttpRequest) -> HttpResponse:
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.register_batch(
                contractor=request.user,
                volumes=form.cleaned_data["volumes"],
                items=form.cleaned_data["item_codes"],
                received_on=form.cleaned_data["received_on"],
                scan_format=form.cleaned_data["scan_format"],
                note=form.cleaned_data["note"],
            )
        except services.WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Registered batch %(batch)s.") % {"batch": batch})
            return redirect(batch)
    return render(request, "digitization/batch_form.html", {"form": form})


@require_GET
@permission_required("digitization.view_batch", raise_exception=True)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch_for_user(request, pk)
    counts = services.reconciliation(batch)
    next_step = batch.next_step
    context = {
        "batch": batch,
        "ledger": services.ledger([batch]),
        "counts": counts,
        "out_of_scope": sum(1 for c in counts if not c.batch_item.in_scope),
        "events": batch.events.select_related("actor"),
        "next_step": next_step and Batch.Step(next_step),
        "blockers": services.step_blockers(batch, next_step) if next_step else [],
        "numbering_problems": services.numbering_problems(batch),
        "status_counts": dict(batch.pages.values_list("status").annotate(n=Count("id"))),
    }
    return render(request, "digitization/batch_detail.html", context)


@require_GET
@permission_required("digitization.view_batch", raise_exception=True)
def batch_pages(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch's page grid; htmx polls it while pages are still being processed."""
    batch = _get_batch_for_user(request, pk)
    pages = batch.pages.select_related("item").order_by("item__archival_code", "sequence", "scan_order")
    shown = request.GET.get("show", "")
    if shown == "unlinked":
        pages = pages.filter(item__isnull=True)
    elif shown in Page.Status.values:
        pages = pages.filter(status=shown)
    page = paginate(pages, request.GET.get("page"), 60)
    busy = batch.pages.whole().filter(status=Page.Status.RECEIVED).exists()
    return render(
        request, "digitization/batch_pages.html", {"batch": batch, "page": page, "busy": busy, "show": shown}
    )


@require_POST
@permission_required("digitization.change_batch", raise_exception=True)
def batch_advance(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch_for_user(request, pk)
    form = NoteForm(request.POST)
    form.is_valid()
    try:
        batch = services.advance_batch(batch=batch, user=request.user, note=form.cleaned_data.get("note", ""))
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Batch %(batch)s moved to “%(step)s”.") % {"batch": batch, "step": batch.get_step_display()},
        )
    return redirect(batch)


@require_http_methods(["GET", "POST"])
@permission_required("digitization.change_batch", raise_exception=True)
def batch_numbering(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch_for_user(request, pk)
    numberings = batch.numberings.select_related(
        "placement__item",
        "placement__volume__fonds",
        "placement__volume__retention",
        "placement__volume__business_category",
    )
    numberings = numberings.order_by("placement__volume_id", "first_page")
    if request.method == "POST":
        numbering = get_object_or_404(numberings, pk=request.POST.get("numbering"))
        form = NumberingForm(request.POST)
        if form.is_valid():
            try:
                services.record_numbering(numbering=numbering, user=request.user, **form.cleaned_data)
            except services.WorkflowError as error:
                messages.error(request, str(error))
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("digitization:batch_numbering", pk=batch.pk)
    context = {"batch": batch, "numberings": numberings, "problems": services.numbering_problems(batch)}
    return render(request, "digitization/batch_numbering.html", context)


@require_GET
@permission_required("digitization.view_batch", raise_exception=True)
def numbering_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The page-range sheet per volume, printed for the numbering desk."""
    from .sheets import page_range_sheet_pdf

    batch = _get_batch_for_user(request, pk)
    response = HttpResponse(page_range_sheet_pdf(batch), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{batch.code}-page-ranges.pdf")
    return response


@require_http_methods(["GET", "POST"])
@permission_required("digitization.add_page", raise_exception=True)
def batch_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the upload page. POST: one file, checked in full; the page's script sends the files one by one."""
    batch = _get_batch_for_user(request, pk)
    if request.method == "GET":
        return render(request, "digitization/batch_upload.html", {"batch": batch})
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"accepted": False, "name": "", "reason": _("No file was sent.")}, status=400)
    if not batch.editable_by_contractor:
        return JsonResponse(
            {"accepted": False, "name": upload.name, "reason": _("The batch is with the inspectors.")},
            status=409,
        )
    outcome = services.ingest_file(
        batch=batch,
        name=upload.name,
        data=upload.read(),
        operator=request.user,
        scanner=request.POST.get("scanner", "")[:100],
    )
    return JsonResponse(
        {
            "accepted": outcome.accepted,
            "name": outcome.name,
            "reason": outcome.refused,
            "warnings": outcome.warnings,
        }
    )


@require_POST
@permission_required("digitization.change_page", raise_exception=True)
def batch_link(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch_for_user(request, pk)
    link = services.link_by_scan_order if request.POST.get("by") == "order" else services.link_by_file_names
    try:
        linked = link(batch=batch, user=request.user)
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Linked %(n)d pages.") % {"n": linked})
    return redirect(batch)


@require_POST
@permission_required("digitization.change_batch", raise_exception=True)
def batch_item_explain(request: HttpRequest, pk: int) -> HttpResponse:
    batch_item = get_object_or_404(
        BatchItem.objects.filter(batch__in=Batch.objects.for_user(request.user)), pk=pk
    )
    form = DifferenceForm(request.POST)
    try:
        if not form.is_valid():
            raise services.WorkflowError(_("Give both the reason for the difference and how it was handled."))
        services.explain_difference(batch_item=batch_item, user=request.user, **form.cleaned_data)
    except services.WorkflowError as error:
        messages.error(request, str(error))
    return redirect(batch_item.batch)


@require_GET
@permission_required("digitization.view_page", raise_exception=True)
def page_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = _get_page_for_user(request, pk)
    siblings = (
        list(Page.objects.filter(item=page.item).order_by("sequence").values_list("pk", flat=True))
        if page.item
        else []
    )
    return render(
        request,
        "digitization/page_detail.html",
        {"page": page, "siblings": siblings, "link_form": LinkForm()},
    )


@require_GET
@permission_required("digitization.view_page", raise_exception=True)
def page_image(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    """An archive image: every view or download is recorded in the audit log."""
    page = _get_page_for_user(request, pk)
    path = {
        "original": page.original_path,
        "derivative": page.display_path,
        "thumbnail": page.thumbnail_path,
    }.get(kind, "")
    if not path or not files.media_path(path).exists():
        raise Http404
    download = request.GET.get("download") == "1"
    action = AuditEvent.Action.DOWNLOAD if download else AuditEvent.Action.VIEW_IMAGE
    audit.record(action=action, request=request, target=page, kind=kind)
    name = page.image_name or page.original_name
    return FileResponse(files.media_path(path).open("rb"), as_attachment=download, filename=name)


@require_POST
@permission_required("digitization.change_page", raise_exception=True)
def page_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    page = _get_page_for_user(request, pk)
    turn = {"left": -90, "right": 90, "half": 180}.get(request.POST.get("turn", ""), 0)
    try:
        services.set_overrides(page=page, user=request.user, rotation_deg=(page.rotation_deg + turn) % 360)
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The page is being processed again with the new rotation."))
    return _back_to(page)


@require_POST
@permission_required("digitization.change_page", raise_exception=True)
def page_straighten(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-process with a skew angle a person measured, or back to the automatic one."""
    page = _get_page_for_user(request, pk)
    try:
        if request.POST.get("automatic"):
            services.clear_overrides(page=page, user=request.user)
        else:
            angle = float(request.POST.get("angle_deg", "").replace("°", ""))
            if not -45 <= angle <= 45:
                raise ValueError
            services.set_overrides(page=page, user=request.user, angle_deg=angle)
    except ValueError:
        messages.error(request, _("Give the skew as degrees between -45 and 45."))
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The page is being processed again."))
    return _back_to(page)


@require_POST
@permission_required("digitization.change_page", raise_exception=True)
def page_stitch(request: HttpRequest, pk: int) -> HttpResponse:
    """Join this scan and another scan of the same oversized page, given by its scan order number."""
    page = _get_page_for_user(request, pk)
    half = page.batch.pages.filter(scan_order=request.POST.get("scan_order") or 0).first()
    try:
        if half is None:
            raise services.WorkflowError(_("No scan of this batch has that number."))
        services.stitch_pages(page=page, half=half, user=request.user)
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The two halves are being stitched into one page."))
    return _back_to(page)


@require_POST
@permission_required("digitization.change_page", raise_exception=True)
def page_doubt(request: HttpRequest, pk: int) -> HttpResponse:
    page = _get_page_for_user(request, pk)
    try:
        services.mark_doubtful(page=page, user=request.user, note=request.POST.get("note", ""))
    except services.WorkflowError as error:
        messages.error(request, str(error))
    return _back_to(page)


@require_POST
@permission_required("digitization.change_page", raise_exception=True)
def page_link(request: HttpRequest, pk: int) -> HttpResponse:
    page = _get_page_for_user(request, pk)
    form = LinkForm(request.POST)
    try:
        if not form.is_valid():
            raise services.WorkflowError(" ".join(e for errors in form.errors.values() for e in errors))
        services.link_page(
            page=page,
            item=form.cleaned_data["archival_code"],
            sequence=form.cleaned_data["sequence"],
            user=request.user,
        )
    except services.WorkflowError as error:
        messages.error(request, str(error))
    return _back_to(page)


@require_POST
@permission_required("digitization.change_page", raise_exception=True)
def page_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a linked page one place earlier or later within its item (fixing page order)."""
    page = _get_page_for_user(request, pk)
    if page.item is None:
        return _back_to(page)
    order = list(Page.objects.filter(item=page.item).order_by("sequence").values_list("pk", flat=True))
    here = order.index(page.pk)
    there = here - 1 if request.POST.get("direction") == "earlier" else here + 1
    if 0 <= there < len(order):
        order[here], order[there] = order[there], order[here]
        try:
            services.reorder_item_pages(item=page.item, page_ids=order, user=request.user)
        except services.WorkflowError as error:
            messages.error(request, str(error))
    return _back_to(page)


@require_POST
@permission_required("digitization.delete_page", raise_exception=True)
def page_delete(request: HttpRequest, pk: int) -> HttpResponse:
    page = _get_page_for_user(request, pk)
    batch = page.batch
    try:
        services.delete_page(page=page, user=request.user)
    except services.WorkflowError as error:
        messages.error(request, str(error))
        return _back_to(page)
    messages.success(request, _("Removed the page from the batch; the original file is kept."))
    return redirect(batch)


@require_GET
@permission_required("digitization.view_page", raise_exception=True)
def doubtful_queue(request: HttpRequest) -> HttpResponse:
    """Archive staff confirm here; supervisors (from their dashboard) and contractors only read."""
    pages = Page.objects.for_user(request.user).doubtful_open().select_related("batch", "item")
    pages = pages.order_by("batch", "scan_order")
    return render(
        request,
        "digitization/doubtful_queue.html",
        {"page": paginate(pages, request.GET.get("page"), PAGE_SIZE)},
    )


@require_POST
@permission_required("digitization.confirm_page", raise_exception=True)
def page_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    page = _get_page_for_user(request, pk)
    try:
        services.confirm_page(page=page, user=request.user, note=request.POST.get("note", ""))
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Confirmed %(page)s.") % {"page": page})
    return redirect("digitization:doubtful_queue")


def _get_item_in_batches(request: HttpRequest, pk: int) -> Item:
    return get_object_or_404(
        Item.objects.filter(batch_item__batch__in=Batch.objects.for_user(request.user)), pk=pk
    )


@require_POST
@permission_required("digitization.add_package", raise_exception=True)
def package_build(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get_item_in_batches(request, pk)
    Package.objects.update_or_create(item=item, defaults={"status": Package.Status.QUEUED})
    tasks.build_package.delay_on_commit(item.pk)
    messages.info(request, _("The ZIP of %(code)s is being built.") % {"code": item.archival_code})
    return redirect(item.batch_item.batch)


@require_GET
@permission_required("digitization.view_package", raise_exception=True)
def package_download(request: HttpRequest, pk: int) -> FileResponse:
    item = _get_item_in_batches(request, pk)
    package = get_object_or_404(Package, item=item, status=Package.Status.READY)
    audit.record(action=AuditEvent.Action.DOWNLOAD, request=request, target=item, package=package.sha256)
    return FileResponse(
        files.media_path(package.path).open("rb"), as_attachment=True, filename=packaging.download_name(item)
    )


@require_GET
@permission_required("digitization.view_batch", raise_exception=True)
def contract_ledger(request: HttpRequest) -> HttpResponse:
    batches = Batch.objects.for_user(request.user)
    by_step = dict(batches.values_list("step").annotate(n=Count("id")))
    steps = [(label, by_step.get(value, 0)) for value, label in Batch.Step.choices]
    ledger = services.ledger(batches)
    out_of_scope = BatchItem.objects.filter(batch__in=batches, in_scope=False).aggregate(
        items=Count("id"), pages=Count("item__pages", filter=Q(item__pages__isnull=False))
    )
    context = {
        "ledger": ledger,
        "steps": steps,
        "out_of_scope": out_of_scope,
        "contract_pages": CONTRACT_PAGES,
    }
    return render(request, "digitization/contract_ledger.html", context)
