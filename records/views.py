from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from archive_office.lib.paging import paginate

from . import exports, importing, register, services, tasks
from .filters import ItemFilter
from .forms import (
    AssembleForm,
    HeaderMappingForm,
    ImportCommitForm,
    ImportUploadForm,
    ItemForm,
    PersonFormSet,
    carried_from,
    person_entries,
)
from .importing import preview
from .models import CatalogueIssue, CatalogueSettings, ImportJob, Item, Volume

PAGE_SIZE = 50
EXPORT_LIMIT = 20_000  # a few seconds of work in the request; beyond that, the command
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LAST_ENTRY = "records:last_entry"


def _items_for(request: HttpRequest) -> QuerySet[Item]:
    return Item.objects.for_user(request.user)


def _get_item_for_user(request: HttpRequest, pk: int) -> Item:
    return get_object_or_404(_items_for(request).select_related("fonds", "retention", "business_item"), pk=pk)


@require_GET
@permission_required("records.view_item", raise_exception=True)
def item_list(request: HttpRequest) -> HttpResponse:
    items = ItemFilter(request.GET, queryset=_items_for(request).with_list_columns())
    page = paginate(items.qs, request.GET.get("page"), PAGE_SIZE)
    template = "records/item_list.html#results" if request.htmx else "records/item_list.html"
    return render(request, template, {"filter": items, "page": page})


@require_GET
@permission_required("records.view_item", raise_exception=True)
def item_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as XLSX for data exchange; whole-catalogue exports use `export_catalogue`."""
    items = ItemFilter(request.GET, queryset=_items_for(request)).qs
    if items.values("id")[: EXPORT_LIMIT + 1].count() > EXPORT_LIMIT:
        messages.error(
            request,
            _("Exports stop at %(limit)d items: narrow the filters or run export_catalogue.")
            % {"limit": EXPORT_LIMIT},
        )
        return redirect(f"{reverse('records:item_list')}?{request.GET.urlencode()}")
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "catalogue.xlsx")
    exports.write_xlsx(items, response, user=request.user, filters=request.GET.dict())
    return response


@require_GET
@permission_required("records.view_item", raise_exception=True)
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get_item_for_user(request, pk)
    placements = item.placements.select_related(
        "volume__fonds", "volume__retention", "volume__business_category"
    )
    return render(request, "records/item_detail.html", {"item": item, "placements": placements})


def _save_item(request: HttpRequest, form: ItemForm, persons: PersonFormSet, *, new: bool) -> Item | None:
    if not (form.is_valid() and persons.is_valid()):
        return None
    save = services.catalogue_item if new else services.update_item
    try:
        return save(item=form.save(), persons=person_entries(persons), user=request.user)
    except services.CatalogueError as error:
        form.add_error(None, str(error))
        return None


@require_http_methods(["GET", "POST"])
@permission_required("records.add_item", raise_exception=True)
def item_create(request: HttpRequest) -> HttpResponse:
    form = ItemForm(request.POST or None, initial=request.session.get(LAST_ENTRY, {}))
    persons = PersonFormSet(request.POST or None, prefix="persons")
    if request.method == "POST" and (item := _save_item(request, form, persons, new=True)):
        request.session[LAST_ENTRY] = carried_from(item)
        messages.success(request, _("Saved %(code)s.") % {"code": item.archival_code})
        return redirect("records:item_create" if "save_next" in request.POST else item)
    return render(request, "records/item_form.html", {"form": form, "persons": persons})


@require_http_methods(["GET", "POST"])
@permission_required("records.change_item", raise_exception=True)
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get_item_for_user(request, pk)
    initial_persons = [{"name": p.name, "citizen_id": p.citizen_id} for p in item.persons.all()]
    form = ItemForm(request.POST or None, instance=item)
    persons = PersonFormSet(request.POST or None, prefix="persons", initial=initial_persons)
    if request.method == "POST" and (saved := _save_item(request, form, persons, new=False)):
        messages.success(request, _("Saved %(code)s.") % {"code": saved.archival_code})
        return redirect(saved)
    return render(request, "records/item_form.html", {"form": form, "persons": persons, "item": item})


@require_POST
@permission_required("records.delete_item", raise_exception=True)
def item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get_item_for_user(request, pk)
    try:
        services.delete_item(item=item, user=request.user)
    except services.CatalogueError as error:
        messages.error(request, str(error))
        return redirect(item)
    messages.success(request, _("Deleted %(code)s.") % {"code": item.archival_code})
    return redirect("records:item_list")


@require_GET
@permission_required("records.view_catalogueissue", raise_exception=True)
def issue_list(request: HttpRequest) -> HttpResponse:
    rule = request.GET.get("rule", "")
    issues = CatalogueIssue.objects.select_related("item").order_by("rule", "item__archival_code")
    if rule in CatalogueIssue.Rule.values:
        issues = issues.filter(rule=rule)
    page = paginate(issues, request.GET.get("page"), PAGE_SIZE)
    context = {"page": page, "rule": rule, "rules": CatalogueIssue.Rule.choices, "recheck": _recheck_status()}
    return render(request, "records/issue_list.html", context)


def _recheck_status() -> dict[str, str] | None:
    return cache.get(tasks.RECHECK_STATUS)


@require_GET
@permission_required("records.view_catalogueissue", raise_exception=True)
def issue_recheck_status(request: HttpRequest) -> HttpResponse:
    return render(request, "records/issue_list.html#recheck", {"recheck": _recheck_status()})


@require_POST
@permission_required("records.change_item", raise_exception=True)
def issue_recheck(request: HttpRequest) -> HttpResponse:
    cache.set(tasks.RECHECK_STATUS, {"state": "queued"}, None)
    tasks.recheck_catalogue.delay_on_commit()
    messages.info(
        request, _("The whole catalogue is being checked in the background; this page shows when it ends.")
    )
    return redirect("records:issue_list")


def _volumes(request: HttpRequest) -> QuerySet[Volume]:
    volumes = Volume.objects.select_related("fonds", "retention", "business_category").order_by(
        "-year", "retention__order", "business_category__order", "number"
    )
    year = request.GET.get("year", "")
    return volumes.filter(year=int(year)) if year.isdigit() else volumes


@require_GET
@permission_required("records.view_volume", raise_exception=True)
def volume_list(request: HttpRequest) -> HttpResponse:
    page = paginate(_volumes(request), request.GET.get("page"), PAGE_SIZE)
    context = {"page": page, "assemble_form": AssembleForm(), "year": request.GET.get("year", "")}
    return render(request, "records/volume_list.html", context)


@require_POST
@permission_required("records.add_volume", raise_exception=True)
def volume_assemble(request: HttpRequest) -> HttpResponse:
    form = AssembleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the fonds, year, retention and business category to assemble."))
        return redirect("records:volume_list")
    volumes = services.assemble_volumes(
        category_code=CatalogueSettings.current().category_code, **form.cleaned_data
    )
    if volumes:
        messages.success(request, _("Assembled %(n)d volumes.") % {"n": len(volumes)})
    else:
        messages.info(request, _("Every item of this group is already in a volume."))
    return redirect(f"{reverse('records:volume_list')}?year={form.cleaned_data['year']}")


@require_GET
@permission_required("records.view_volume", raise_exception=True)
def volume_register(request: HttpRequest, fmt: str) -> HttpResponse:
    volumes = _volumes(request)
    if fmt == "pdf":
        body = register.volume_register_pdf(volumes, title=_("Volume register"))
        response = HttpResponse(body, content_type="application/pdf")
    else:
        body = register.volume_register_xlsx(volumes)
        response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(False, f"volume-register.{fmt}")
    return response


@require_GET
@permission_required("records.view_volume", raise_exception=True)
def volume_detail(request: HttpRequest, pk: int) -> HttpResponse:
    volume = get_object_or_404(
        Volume.objects.select_related("fonds", "retention", "business_category"), pk=pk
    )
    placements = volume.placements.select_related("item").order_by("first_page")
    return render(request, "records/volume_detail.html", {"volume": volume, "placements": placements})


# --- Legacy Excel imports -------------------------------------------------------------------------------


def _get_job(pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.select_related("fonds", "uploaded_by", "committed_by"), pk=pk)


@require_GET
@permission_required("records.add_importjob", raise_exception=True)
def import_list(request: HttpRequest) -> HttpResponse:
    jobs = ImportJob.objects.select_related("fonds", "uploaded_by", "committed_by")
    page = paginate(jobs, request.GET.get("page"), PAGE_SIZE)
    return render(request, "records/import_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@permission_required("records.add_importjob", raise_exception=True)
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = importing.start_import(
            upload=form.cleaned_data["file"], fonds=form.cleaned_data["fonds"], user=request.user
        )
        return redirect(job)
    return render(request, "records/import_upload.html", {"form": form})


@require_GET
@permission_required("records.add_importjob", raise_exception=True)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One page per job, as far as it has come: its progress, its preview, or its result."""
    job = _get_job(pk)
    if job.is_running:
        return render(request, "records/import_progress.html", {"job": job})
    if job.status == ImportJob.Status.VALIDATED:
        return render(request, "records/import_preview.html", preview.preview_context(request, job))
    return render(request, "records/import_result.html", preview.result_context(request, job))


@require_GET
@permission_required("records.add_importjob", raise_exception=True)
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_job(pk)
    if not job.is_running:
        return HttpResponseClientRefresh()  # the page itself now shows the preview or the result
    return render(request, "records/import_progress.html#progress", {"job": job})


@require_POST
@permission_required("records.add_importjob", raise_exception=True)
def import_map_headers(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_job(pk)
    headers, current = preview.mappable_headers(job)
    form = HeaderMappingForm(request.POST, headers=headers, current=current)
    try:
        if not form.is_valid():
            raise services.CatalogueError(_("Choose a catalogue field, or “not read”, for each column."))
        importing.remap_headers(job=job, overrides=form.mapping(), user=request.user)
    except services.CatalogueError as error:
        messages.error(request, str(error))
    return redirect(job)


@require_POST
@permission_required("records.add_importjob", raise_exception=True)
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_job(pk)
    form = ImportCommitForm(request.POST)
    all_or_nothing = form.is_valid() and form.cleaned_data["mode"] == ImportCommitForm.ALL_OR_NOTHING
    try:
        importing.request_commit(job=job, all_or_nothing=all_or_nothing, user=request.user)
    except services.CatalogueError as error:
        messages.error(request, str(error))
    return redirect(job)


@require_GET
@permission_required("records.add_importjob", raise_exception=True)
def import_error_workbook(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_job(pk)
    if not job.error_workbook:
        raise Http404
    name = _("%(name)s (import errors).xlsx") % {"name": Path(job.original_name).stem}
    return FileResponse(job.error_workbook.open("rb"), as_attachment=True, filename=name, content_type=XLSX)


@require_GET
@permission_required("records.add_importjob", raise_exception=True)
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_job(pk)
    response = JsonResponse(importing.job_report(job), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = content_disposition_header(True, f"{Path(job.original_name).stem}.json")
    return response
