"""Small previews for the batch page (pure: bytes in, bytes out)."""

import io

from PIL import Image

THUMBNAIL_SIDE = 480


def make_thumbnail(data: bytes, *, side: int = THUMBNAIL_SIDE) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (side, side))  # lets the JPEG decoder skip most of the work
        preview = image.convert("RGB") if image.mode not in {"RGB", "L"} else image.copy()
    preview.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    preview.save(out, "JPEG", quality=80)
    return out.getvalue()
