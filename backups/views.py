from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from .forms import BackupCopyForm, RunForm
from .models import BackupCopy, BackupRun
from .tasks import run_backup


@require_GET
@permission_required("backups.view_backupcopy", raise_exception=True)
def copy_list(request: HttpRequest) -> HttpResponse:
    return render(request, "backups/copy_list.html", {"copies": BackupCopy.objects.all()})


@require_http_methods(["GET", "POST"])
@permission_required("backups.add_backupcopy", raise_exception=True)
def copy_create(request: HttpRequest) -> HttpResponse:
    form = BackupCopyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return redirect(form.save())
    return render(request, "backups/copy_form.html", {"form": form})


@require_GET
@permission_required("backups.view_backupcopy", raise_exception=True)
def copy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Runs before the copy: a run the worker finishes in between is then shown with the register entry
    # it updated (it records the verification first, then finishes), never with the entry before it.
    runs = list(BackupRun.objects.filter(copy_id=pk).select_related("started_by")[:20])
    copy = get_object_or_404(BackupCopy, pk=pk)
    form = RunForm(initial={"kind": BackupRun.Kind.WRITE, "target": copy.target})
    running = next((run for run in runs if run.is_running), None)
    return render(
        request, "backups/copy_detail.html", {"copy": copy, "runs": runs, "form": form, "run": running}
    )


@require_POST
@permission_required("backups.add_backuprun", raise_exception=True)
def copy_run(request: HttpRequest, pk: int) -> HttpResponse:
    copy = get_object_or_404(BackupCopy, pk=pk)
    form = RunForm(request.POST)
    if copy.runs.running().exists():
        messages.error(request, _("A run of this copy is under way; wait for it to finish."))
    elif not form.is_valid():
        messages.error(request, _("Give the target folder and choose write or verify."))
    else:
        run = BackupRun.objects.create(copy=copy, started_by=request.user, **form.cleaned_data)
        run_backup.delay_on_commit(run.pk)
    return redirect(copy)


@require_GET
@permission_required("backups.view_backupcopy", raise_exception=True)
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(BackupRun, pk=pk)
    if not run.is_running:
        return HttpResponseClientRefresh()
    return render(request, "backups/copy_detail.html#progress", {"run": run})
