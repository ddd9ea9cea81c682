"""Files under MEDIA_ROOT: originals stored once by content and never changed, derivatives beside them.

Every write goes to a temporary file that is flushed, synced and renamed into place, so a worker killed
mid-write leaves no half-written file under a final name.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


def media_path(relative: str) -> Path:
    path = (Path(settings.MEDIA_ROOT) / relative).resolve()
    if not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve()):
        raise ValueError(f"{relative!r} lies outside MEDIA_ROOT")
    return path


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomically(relative: str, data: bytes) -> None:
    target = media_path(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def original_relpath(sha256: str, extension: str) -> str:
    return f"originals/{sha256[:2]}/{sha256[2:4]}/{sha256}.{extension}"


def store_original(data: bytes, sha256: str, extension: str) -> str:
    """Store an original once; an existing file with the same content is left untouched."""
    relative = original_relpath(sha256, extension)
    if not media_path(relative).exists():
        write_atomically(relative, data)
        os.chmod(media_path(relative), 0o444)  # originals are never modified
    return relative


def derivative_relpath(page_id: int, extension: str, *, kind: str = "derivatives") -> str:
    return f"{kind}/{page_id // 1000:04d}/{page_id}.{extension}"


def read(relative: str) -> bytes:
    return media_path(relative).read_bytes()
