"""Batches, scans and pages for digitization tests."""

import io
from datetime import date

import numpy as np
from PIL import Image

from archive_office.models import User
from digitization import services
from digitization.models import Batch
from records.models import Item
from tests.records.factories import make_item


def scan_jpeg(
    *, width: int = 620, height: int = 877, dpi: int = 300, seed: int = 0, quality: int = 90
) -> bytes:
    """A small page-like JPEG: light paper with dark text lines, different for each seed."""
    rng = np.random.default_rng(seed)
    page = np.full((height, width, 3), 236, np.uint8)
    for row in range(60, height - 60, 28):
        length = int(rng.integers(width // 3, width - 120))
        page[row : row + 6, 60 : 60 + length] = 40
    out = io.BytesIO()
    Image.fromarray(page).save(out, "JPEG", quality=quality, dpi=(dpi, dpi))
    return out.getvalue()


def make_assembled_items(*, count: int = 2, page_count: int = 2, **fields: object) -> list[Item]:
    items = [make_item(page_count=page_count, **fields) for _ in range(count)]
    first = items[0]
    from records.services import assemble_volumes

    assemble_volumes(
        fonds=first.fonds,
        category_code=first.category_code,
        year=first.year,
        retention=first.retention,
        business_category=first.business_category,
    )
    return items


def make_batch(*, contractor: User, items: list[Item] | None = None, **fields: object) -> Batch:
    items = items if items is not None else make_assembled_items()
    return services.register_batch(contractor=contractor, items=items, received_on=date(2026, 3, 2), **fields)
