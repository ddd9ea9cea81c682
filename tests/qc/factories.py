"""Submitted batches for inspection tests: pages are made processed and linked directly, no worker needed."""

from collections.abc import Sequence
from itertools import count

from archive_office.models import User
from digitization import files, services
from digitization.models import Batch, Page
from qc import services as qc_services
from qc.models import Defect, Sample, Verdict
from records.models import Item
from tests.digitization.factories import make_assembled_items, make_batch, scan_jpeg

_serial = count(1)


def add_linked_pages(
    batch: Batch, *, operators: Sequence[User | None] = (), with_files: bool = False
) -> list[Page]:
    """Give every item of the batch its catalogue page count of processed, linked pages.

    Operators take turns item by item. With files, each page is a real small JPEG stored as its original,
    so the audited image view can serve it.
    """
    pages = []
    operators = list(operators) or [batch.contractor]
    scan_order = batch.pages.count()
    for n, batch_item in enumerate(batch.batch_items.select_related("item").order_by("item__archival_code")):
        for sequence in range(1, batch_item.item.page_count + 1):
            serial = next(_serial)
            scan_order += 1
            data = scan_jpeg(seed=serial) if with_files else f"page {serial}".encode()
            sha256 = files.sha256_of(data)
            pages.append(
                Page.objects.create(
                    batch=batch,
                    scan_order=scan_order,
                    item=batch_item.item,
                    sequence=sequence,
                    status=Page.Status.PROCESSED,
                    original_name=f"IMG_{serial:05d}.jpg",
                    original_path=files.store_original(data, sha256, "jpg") if with_files else "",
                    sha256=sha256,
                    file_size=len(data),
                    format="JPEG",
                    width=620,
                    height=877,
                    dpi=300,
                    colour_mode="RGB",
                    operator=operators[n % len(operators)],
                )
            )
    return pages


def make_submitted_batch(
    *,
    contractor: User,
    items: list[Item] | None = None,
    operators: Sequence[User | None] = (),
    with_files: bool = False,
) -> Batch:
    """A batch registered, numbered, scanned, processed, linked and submitted for inspection."""
    batch = make_batch(contractor=contractor, items=items if items is not None else make_assembled_items())
    add_linked_pages(batch, operators=operators, with_files=with_files)
    for _ in range(5):
        batch = services.advance_batch(batch=batch, user=contractor)
    assert batch.step == Batch.Step.SUBMITTED
    return batch


def inspect_all(sample: Sample, *, inspector: User, defects: dict[int, str] | None = None) -> None:
    """Pass every sampled item, except those given by position, which get a defect of the given kind."""
    defects = defects or {}
    for unit in sample.units.select_related("item"):
        kind = defects.get(unit.position)
        if kind is None:
            qc_services.pass_unit(unit=unit, user=inspector)
            continue
        page = unit.item.pages.order_by("sequence").first()
        qc_services.add_defect(unit=unit, user=inspector, kind=kind, note="见第一页", page=page)
        check = Defect.RULES[kind][0]
        checks = {c: c != check for c in ("catalogue", "pages", "images", "linking")}
        qc_services.record_inspection(unit=unit, user=inspector, checks=checks)


def accept(batch: Batch, *, supervisor: User, mode: str = Sample.Mode.ITEM, **draw: object) -> Verdict:
    """Draw, pass every item and accept: the shortest way to an accepted batch."""
    sample = qc_services.draw_sample(batch=batch, user=supervisor, mode=mode, **draw)
    inspect_all(sample, inspector=supervisor)
    return qc_services.decide_batch(sample=sample, user=supervisor, decision=Verdict.Decision.ACCEPT)
