"""A demo batch for `seed_demo`: one volume received by the contractor, with real scanned-page images."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from archive_office.models import User
from records.models import Volume

from . import services
from .models import Batch

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def demo_scan(title: str, page: int, *, seed: int) -> bytes:
    """An A4 page at 150 dpi on a dark scanner lid, slightly skewed, with the title in Chinese."""
    rng = np.random.default_rng(seed)
    paper = Image.new("RGB", (1240, 1754), (238, 233, 220))
    draw = ImageDraw.Draw(paper)
    try:
        font = ImageFont.truetype(FONT, 40)
    except OSError:
        font = ImageFont.load_default()
    draw.text((120, 140), title, fill=(30, 30, 30), font=font)
    for row in range(320, 1500, 48):
        width = int(rng.integers(500, 1000))
        draw.rectangle((120, row, 120 + width, row + 14), fill=(60, 60, 60))
    draw.ellipse((880, 1400, 1100, 1620), outline=(200, 40, 40), width=8)
    draw.text((1080, 1680), str(page), fill=(30, 30, 30), font=font)
    lid = Image.new("RGB", (1400, 1900), (25, 25, 28))
    lid.paste(paper.rotate(float(rng.uniform(-2, 2)), expand=False, fillcolor=(25, 25, 28)), (80, 70))
    out = io.BytesIO()
    lid.save(out, "JPEG", quality=88, dpi=(150, 150))
    return out.getvalue()


def seed() -> list[str]:
    contractor = User.objects.filter(username="contractor").first()
    volume = Volume.objects.order_by("year", "number").first()
    if contractor is None or volume is None or Batch.objects.exists():
        return ["Digitization: kept as it is."]
    batch = services.register_batch(contractor=contractor, volumes=[volume], received_on=date.today())
    for _ in range(2):  # arranged and numbered
        batch = services.advance_batch(batch=batch, user=contractor)
    number = 0
    for placement in volume.placements.select_related("item").order_by("first_page"):
        for sequence in range(1, placement.pages + 1):
            number += 1
            name = f"{placement.item.archival_code}-{sequence:04d}.jpg"
            services.ingest_file(
                batch=batch,
                name=name,
                data=demo_scan(placement.item.title, number, seed=number),
                operator=contractor,
                scanner="EPSON DS-50000",
            )
    return [f"Digitization: batch {batch.code} with {number} scanned pages (processed by the worker)."]
