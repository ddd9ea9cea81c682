from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from archive_office import audit
from archive_office.lib.paging import paginate
from archive_office.models import AuditEvent
from digitization.models import Batch, BatchItem, Page
from records.models import Item
from records.search import search_items

from . import labels, services
from .forms import (
    BoxingForm,
    LendForm,
    LocationRangeForm,
    LookupForm,
    MoveForm,
    PrintForm,
    RemarksForm,
    ScanForm,
)
from .models import Box, Loan, Location, LookupRequest, volumes_for
from .services import StorageError

PAGE_SIZE = 50
PRINT_LIMIT = 500  # boxes per printout: about fifty A4 sheets of spine labels


def _boxes_for(request: HttpRequest) -> QuerySet[Box]:
    return Box.objects.for_user(request.user)


def _get_box_for_user(request: HttpRequest, pk: int) -> Box:
    return get_object_or_404(_boxes_for(request).with_labels().select_related("remarks"), pk=pk)


def _pdf(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, name)
    return response


# --- Boxes ------------------------------------------------------------------------------------------------


@require_GET
@permission_required("storage.view_box", raise_exception=True)
def box_list(request: HttpRequest) -> HttpResponse:
    boxes = _boxes_for(request).with_labels().with_location().in_shelf_order()
    year = request.GET.get("year", "")
    if year.isdigit():
        boxes = boxes.filter(year=int(year))
    page = paginate(boxes, request.GET.get("page"), PAGE_SIZE)
    page.object_list = Box.attach_locations(page.object_list)
    loans = Loan.objects.open().filter(box__in=page.object_list).select_related("borrower")
    by_box = {loan.box_id: loan for loan in loans}
    rows = [(box, by_box.get(box.pk)) for box in page.object_list]
    print_form = PrintForm(batches=Batch.objects.for_user(request.user), auto_id=False)
    context = {"page": page, "rows": rows, "year": year, "print_form": print_form}
    return render(request, "storage/box_list.html", context)


@require_GET
@permission_required("storage.add_box", raise_exception=True)
def volume_queue(request: HttpRequest) -> HttpResponse:
    """The volumes still to box, each with the form that checks the box's first and last item."""
    volumes = (
        volumes_for(request.user)
        .filter(box__isnull=True)
        .select_related("fonds", "retention", "business_category")
        .order_by("-year", "retention__order", "business_category__order", "number")
    )
    page = paginate(volumes, request.GET.get("page"), PAGE_SIZE)
    return render(request, "storage/volume_queue.html", {"page": page})


@require_POST
@permission_required("storage.add_box", raise_exception=True)
def box_create(request: HttpRequest, volume_pk: int) -> HttpResponse:
    volume = get_object_or_404(volumes_for(request.user), pk=volume_pk)
    form = BoxingForm(request.POST)
    try:
        if not form.is_valid():
            raise StorageError(_("Enter the first and last item you find in the box."))
        box = services.box_volume(volume=volume, user=request.user, **form.cleaned_data)
    except StorageError as error:
        messages.error(request, str(error))
        return redirect("storage:volume_queue")
    messages.success(request, _("Volume %(volume)s is box %(box)s.") % {"volume": volume, "box": box})
    return redirect(box)


@require_GET
@permission_required("storage.view_box", raise_exception=True)
def box_detail(request: HttpRequest, pk: int) -> HttpResponse:
    box = _get_box_for_user(request, pk)
    context = {
        "box": box,
        "contents": box.contents.select_related("item"),
        "history": box.history.select_related("location", "placed_by"),
        "loans": box.loans.select_related("borrower", "lent_by", "returned_by")[:20],
        "remarks_form": RemarksForm(instance=box.remarks),
        "widths": labels.SPINE_WIDTHS_MM,
    }
    return render(request, "storage/box_detail.html", context)


@require_POST
@permission_required("storage.change_remarkssheet", raise_exception=True)
def remarks_edit(request: HttpRequest, pk: int) -> HttpResponse:
    box = _get_box_for_user(request, pk)
    form = RemarksForm(request.POST, instance=box.remarks)
    if form.is_valid():
        form.save()
        audit.record(action=AuditEvent.Action.UPDATE, request=request, target=box, event="remarks")
        messages.success(request, _("Saved the remarks sheet of %(box)s.") % {"box": box})
    else:
        messages.error(request, _("The remarks sheet was not saved: check the dates."))
    return redirect(box)


@require_GET
@permission_required("storage.view_box", raise_exception=True)
def box_printable(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    box = _get_box_for_user(request, pk)
    if kind == "spine":
        width = int(request.GET.get("width", "30")) if request.GET.get("width", "30").isdigit() else 0
        if width not in labels.SPINE_WIDTHS_MM:
            raise Http404
        return _pdf(labels.spine_label_pdf(box, width_mm=width), f"{box.code}-spine-{width}mm.pdf")
    draw = labels.covers_pdf if kind == "cover" else labels.remarks_sheets_pdf
    return _pdf(draw([labels.BoxLabel.of(box)], title=box.code), f"{box.code}-{kind}.pdf")


def _selected_boxes(request: HttpRequest, form: PrintForm) -> QuerySet[Box]:
    data = form.cleaned_data
    boxes = _boxes_for(request).with_labels().select_related("remarks")
    if data["by"] == "shelf":
        cells = Location.objects.of_rack(*form.rack_parts()).values("pk")
        return boxes.with_location().filter(current_location_id__in=cells).in_shelf_order()
    if data["by"] == "range":
        return boxes.filter(
            fonds=data["fonds"],
            year=data["year"],
            retention=data["retention"],
            business_category=data["business_category"],
            number__range=(data["first_number"], data["last_number"]),
        ).in_shelf_order()
    in_batch = BatchItem.objects.filter(batch=data["batch"], item__placements__volume=OuterRef("volume"))
    return boxes.filter(Exists(in_batch)).in_shelf_order()


@require_GET
@permission_required("storage.view_box", raise_exception=True)
def box_print(request: HttpRequest) -> HttpResponse:
    """Printables for many boxes at once, on A4: a shelf's, a range of volumes' or a batch's."""
    form = PrintForm(request.GET, batches=Batch.objects.for_user(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose what to print and for which boxes."))
        return redirect("storage:box_list")
    chosen = labels.box_labels(_selected_boxes(request, form)[:PRINT_LIMIT])
    kind = form.cleaned_data["kind"]
    title = dict(PrintForm.KINDS)[kind]
    if kind == "spine":
        body = labels.spine_sheets_pdf(chosen, width_mm=form.cleaned_data["width"], title=str(title))
    else:
        draw = labels.covers_pdf if kind == "cover" else labels.remarks_sheets_pdf
        body = draw(chosen, title=str(title))
    return _pdf(body, f"boxes-{kind}.pdf")


# --- Locations and shelving -------------------------------------------------------------------------------


@require_GET
@permission_required("storage.view_location", raise_exception=True)
def location_list(request: HttpRequest) -> HttpResponse:
    page = paginate(Location.objects.all(), request.GET.get("page"), 100)
    counts = dict(
        Box.objects.with_location()
        .filter(current_location_id__in=[cell.pk for cell in page.object_list])
        .values_list("current_location_id")
        .annotate(n=Count("id"))
    )
    rows = [(cell, counts.get(cell.pk, 0)) for cell in page.object_list]
    context = {"page": page, "rows": rows, "form": LocationRangeForm(), "racks": Location.objects.racks()}
    return render(request, "storage/location_list.html", context)


@require_POST
@permission_required("storage.add_location", raise_exception=True)
def location_add(request: HttpRequest) -> HttpResponse:
    form = LocationRangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the store room, area, rack, faces, levels and cells."))
        return redirect("storage:location_list")
    created = Location.objects.bulk_create(form.locations(), ignore_conflicts=True)
    messages.success(request, _("The rack has %(n)d cells now recorded.") % {"n": len(created)})
    return redirect("storage:location_list")


@require_GET
@permission_required("storage.view_location", raise_exception=True)
def location_detail(request: HttpRequest, pk: int) -> HttpResponse:
    location = get_object_or_404(Location, pk=pk)
    boxes = _boxes_for(request).with_labels().with_location().filter(current_location_id=location.pk)
    history = location.box_history.select_related("box", "placed_by")[:50]
    context = {"location": location, "boxes": boxes.in_shelf_order(), "history": history}
    return render(request, "storage/location_detail.html", context)


@require_GET
@permission_required("storage.view_location", raise_exception=True)
def location_labels(request: HttpRequest) -> HttpResponse:
    """Shelf labels of one rack (?rack=2-1-4), or of every cell."""
    locations = Location.objects.all()
    parts = request.GET.get("rack", "").split("-")
    if len(parts) == 3 and all(part.isdigit() for part in parts):
        locations = locations.of_rack(*(int(part) for part in parts))
    body = labels.location_labels_pdf(list(locations[:2000]), title=_("Shelf labels"))
    return _pdf(body, "shelf-labels.pdf")


@dataclass(frozen=True)
class ScanResult:
    """One line of a scanning page: what was scanned and what the system did with it."""

    code: str
    message: str
    ok: bool = True
    warning: str = ""
    cell: Location | None = None


def _scanned_cell(form: ScanForm) -> Location | None:
    cell = form.cleaned_data.get("cell") if form.is_valid() else None
    return Location.objects.filter(pk=cell).first() if cell else None


def _shelve_scan(request: HttpRequest, form: ScanForm) -> ScanResult:
    cell = _scanned_cell(form)
    code = form.cleaned_data.get("code", "") if form.is_valid() else ""
    try:
        found = services.identify(code, boxes=_boxes_for(request), items=Item.objects.none())
        if isinstance(found, Location):
            return ScanResult(code, _("Now shelving into %(cell)s.") % {"cell": found}, cell=found)
        if cell is None:
            raise StorageError(_("Scan a shelf cell first, then its boxes."))
        shelving = services.shelve_box(box=found, location=cell, user=request.user)  # type: ignore[arg-type]
    except StorageError as error:
        return ScanResult(code, str(error), ok=False, cell=cell)
    box = shelving.placement.box
    if not shelving.moved:
        return ScanResult(code, _("%(box)s is already in %(cell)s.") % {"box": box, "cell": cell}, cell=cell)
    warnings = []
    if shelving.previous:
        warnings.append(_("Moved from %(cell)s.") % {"cell": shelving.previous})
    if shelving.out_of_order_after:
        warnings.append(
            _("Not in shelf order: %(box)s went in just before.") % {"box": shelving.out_of_order_after}
        )
    message = _("%(box)s shelved in %(cell)s.") % {"box": box, "cell": cell}
    return ScanResult(code, message, warning=" ".join(warnings), cell=cell)


def _scan_page(
    request: HttpRequest, template: str, result: ScanResult | None, **context: object
) -> HttpResponse:
    # htmx appends the one new line; without JavaScript the whole page comes back with it.
    name = "storage/scan_result.html" if request.htmx else template
    return render(request, name, {"result": result, **context})


@require_http_methods(["GET", "POST"])
@permission_required("storage.add_boxplacement", raise_exception=True)
def shelve(request: HttpRequest) -> HttpResponse:
    """Scan a cell's label, then its boxes: each box is placed and confirmed as it is scanned."""
    if request.method == "GET":
        return render(request, "storage/shelve.html", {"cell": None})
    result = _shelve_scan(request, ScanForm(request.POST))
    return _scan_page(request, "storage/shelve.html", result, cell=result.cell, shelving=True)


def _scanned(request: HttpRequest, code: str, kind: type | tuple[type, ...]) -> object:
    found = services.identify(code, boxes=_boxes_for(request), items=Item.objects.for_user(request.user))
    if not isinstance(found, kind):
        raise StorageError(_("“%(code)s” is not the kind of code asked for here.") % {"code": code})
    return found


@require_http_methods(["GET", "POST"])
@permission_required("storage.add_boxplacement", raise_exception=True)
def move(request: HttpRequest) -> HttpResponse:
    """Move a range of boxes (first to last of one group) into consecutive cells from a starting cell."""
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            first = _scanned(request, form.cleaned_data["first_box"], Box)
            last = _scanned(request, form.cleaned_data["last_box"], Box)
            start = _scanned(request, form.cleaned_data["start"], Location)
            boxes = services.box_range(first=first, last=last, boxes=_boxes_for(request))  # type: ignore[arg-type]
            placed = services.move_boxes(boxes=boxes, start=start, user=request.user)  # type: ignore[arg-type]
        except StorageError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Moved %(n)d boxes from %(cell)s on.") % {"n": len(placed), "cell": start}
            )
            return redirect(start)
    return render(request, "storage/move.html", {"form": form})


# --- Loans ------------------------------------------------------------------------------------------------


@require_GET
@permission_required("storage.view_loan", raise_exception=True)
def loan_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    loans = Loan.objects.select_related("box", "item", "borrower", "lent_by")
    loans = {"overdue": loans.overdue().order_by("due_on"), "all": loans}.get(
        show, loans.open().order_by("due_on")
    )
    page = paginate(loans, request.GET.get("page"), PAGE_SIZE)
    context = {"page": page, "show": show, "overdue_count": Loan.objects.overdue().count()}
    return render(request, "storage/loan_list.html", context)


def _lend_scan(request: HttpRequest, scan: ScanForm, form: LendForm) -> ScanResult:
    code = scan.cleaned_data.get("code", "") if scan.is_valid() else ""
    if not form.is_valid():
        problems = [str(e) for errors in form.errors.values() for e in errors]
        return ScanResult(code, _("Not lent: %(problems)s") % {"problems": " ".join(problems)}, ok=False)
    data = form.cleaned_data
    try:
        target = _scanned(request, code, (Box, Item))
        loan = services.lend(
            target=target,  # type: ignore[arg-type]
            borrower=data["borrower"],
            department=data["department"],
            purpose=data["purpose"],
            due_on=data["due_on"],
            user=request.user,
            request=request,
        )
    except StorageError as error:
        return ScanResult(code, str(error), ok=False)
    message = _("%(code)s lent to %(borrower)s until %(due)s.")
    return ScanResult(
        code,
        message % {"code": loan.target_code, "borrower": loan.borrower_name, "due": loan.due_on.isoformat()},
    )


@require_http_methods(["GET", "POST"])
@permission_required("storage.add_loan", raise_exception=True)
def lend(request: HttpRequest) -> HttpResponse:
    """Choose the borrower, purpose and due date once, then scan each box or item lent."""
    form = LendForm(request.POST or None)
    if request.method == "GET":
        return render(request, "storage/lend.html", {"form": form})
    result = _lend_scan(request, ScanForm(request.POST), form)
    return _scan_page(request, "storage/lend.html", result, form=form)


def _return_scan(request: HttpRequest, scan: ScanForm) -> ScanResult:
    code = scan.cleaned_data.get("code", "") if scan.is_valid() else ""
    try:
        target = _scanned(request, code, (Box, Item))
        loan = services.return_loan(target=target, user=request.user, request=request)  # type: ignore[arg-type]
    except StorageError as error:
        return ScanResult(code, str(error), ok=False)
    message = _("%(code)s returned by %(borrower)s.") % {
        "code": loan.target_code,
        "borrower": loan.borrower_name,
    }
    warning = (
        _("It was overdue (due %(due)s).") % {"due": loan.due_on.isoformat()} if loan.returned_late else ""
    )
    return ScanResult(code, message, warning=warning)


@require_http_methods(["GET", "POST"])
@permission_required("storage.change_loan", raise_exception=True)
def return_scan(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "storage/return.html", {})
    result = _return_scan(request, ScanForm(request.POST))
    return _scan_page(request, "storage/return.html", result)


# --- Lookups ----------------------------------------------------------------------------------------------


@require_GET
@permission_required("storage.view_lookuprequest", raise_exception=True)
def lookup_list(request: HttpRequest) -> HttpResponse:
    return _lookup_list(request, LookupForm())


def _lookup_list(request: HttpRequest, form: LookupForm) -> HttpResponse:
    lookups = LookupRequest.objects.select_related("item", "logged_by")
    context = {
        "page": paginate(lookups, request.GET.get("page"), PAGE_SIZE),
        "form": form,
        "median": LookupRequest.objects.median_time_to_found(),
        "found_count": LookupRequest.objects.found().count(),
    }
    return render(request, "storage/lookup_list.html", context)


@require_POST
@permission_required("storage.add_lookuprequest", raise_exception=True)
def lookup_create(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.POST)
    if not form.is_valid():
        return _lookup_list(request, form)
    lookup = services.log_lookup(**form.cleaned_data, user=request.user, request=request)
    return redirect(lookup)


@require_GET
@permission_required("storage.view_lookuprequest", raise_exception=True)
def lookup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The request and the catalogue's answers; once found, the item's boxes, their cells and its images."""
    lookup = get_object_or_404(LookupRequest.objects.select_related("item", "logged_by"), pk=pk)
    query = request.GET.get("q", lookup.query)
    items = Item.objects.for_user(request.user)
    context: dict[str, object] = {"lookup": lookup, "query": query}
    if lookup.item is None:
        context["candidates"] = search_items(items.with_list_columns(), query)[:20]
    else:
        context.update(_whereabouts(request, lookup.item))
    return render(request, "storage/lookup_detail.html", context)


def _whereabouts(request: HttpRequest, item: Item) -> dict[str, object]:
    boxes = Box.attach_locations(
        Box.objects.with_labels().with_location().filter(contents__item=item).in_shelf_order()
    )
    pages = Page.objects.for_user(request.user).filter(item=item).whole().order_by("sequence")
    return {
        "boxes": boxes,
        "loan": Loan.objects.by_item([item.pk]).get(item.pk),
        "pages": pages if request.user.has_perm("digitization.view_page") else Page.objects.none(),
    }


@require_POST
@permission_required("storage.change_lookuprequest", raise_exception=True)
def lookup_found(request: HttpRequest, pk: int) -> HttpResponse:
    lookup = get_object_or_404(LookupRequest, pk=pk)
    item = get_object_or_404(Item.objects.for_user(request.user), pk=request.POST.get("item") or 0)
    try:
        services.record_found(lookup=lookup, item=item, user=request.user, request=request)
    except StorageError as error:
        messages.error(request, str(error))
    return redirect(lookup)
