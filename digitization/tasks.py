"""Thin Celery tasks: they receive ids, call the pipeline or a service, and may run twice harmlessly."""

from celery import shared_task

from . import derivatives, imaging, packaging, services
from .models import ImagingSettings, Page


@shared_task
def process_page(page_id: int) -> str:
    """Make the page's derivative from its original. Re-running it rewrites the same derivative."""
    page = Page.objects.select_related("batch").filter(pk=page_id).first()
    if page is None:
        return "gone"  # deleted as a duplicate before a worker reached it
    settings = ImagingSettings.current()
    if "stitch_with" in page.overrides:
        return _stitch(page, page.overrides["stitch_with"], settings)
    result = derivatives.render(page, settings)
    services.apply_processing(page, result)
    return result.status


def _stitch(page: Page, half_id: int, settings: ImagingSettings) -> str:
    """One task per pair: the page's original and its second half become one derivative."""
    half = Page.objects.filter(pk=half_id).first()
    if half is None:
        services.undo_stitch(page, reason=imaging.reasons.HALF_REMOVED)
        return "flagged"
    try:
        result, joined = derivatives.render_stitched(page, half, settings)
    except (imaging.ImageRejected, imaging.StitchRefused) as refused:
        services.undo_stitch(page, reason=imaging.reasons.NOT_STITCHED.format(reason=refused.reason))
        return "flagged"
    services.apply_processing(page, result)
    Page.objects.filter(pk=page.pk).update(
        # Full precision: re-making the page for its ZIP re-joins the halves exactly with this.
        overrides={**page.overrides, "b_to_a": joined.b_to_a.tolist()}
    )
    return result.status


@shared_task
def build_package(item_id: int) -> str:
    return packaging.build_package(item_id).status
