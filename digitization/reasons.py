"""The image pipeline's reasons in the reader's language.

The pipeline speaks English templates (imaging/reasons.py) so that it stays free of Django; pages store
what it said. Here each template has its wording for people, and a filled-in reason is matched back to
its template to be shown in Chinese (or English), with its numbers kept.
"""

from __future__ import annotations

import re
import string
from functools import cache

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .imaging import reasons as R

MESSAGES: dict[str, Promise] = {
    R.EMPTY_FILE: _("the file is empty"),
    R.NOT_AN_IMAGE: _("not an image file (the format is not recognised)"),
    R.DECOMPRESSION_BOMB: _("the image has too many pixels (possibly a decompression bomb)"),
    R.UNREADABLE_HEADER: _("the image header cannot be read (%(detail)s)"),
    R.TOO_MANY_PIXELS: _("the image has %(width)s×%(height)s pixels, above the limit of %(limit)s"),
    R.TOO_SMALL: _("the image is only %(width)s×%(height)s pixels, too small for a page scan"),
    R.SEVERAL_PAGES: _("the file holds %(pages)s pages: save one file per page"),
    R.OUT_OF_MEMORY: _("the image is too large to decode in memory"),
    R.UNDECODABLE: _("the image data cannot be decoded (%(detail)s)"),
    R.FLOATING_POINT: _("32-bit floating-point images are not scans: save at 8 or 16 bits"),
    R.DAMAGED_JPEG: _("the JPEG data is truncated or damaged (%(detail)s)"),
    R.PROCESSING_FAILED: _("processing failed (%(detail)s)"),
    R.NO_PAPER: _("no paper found: the image is almost entirely dark"),
    R.PHOTOGRAPH: _("a photograph or picture: no plain paper with text lines"),
    R.BLANK_PAGE: _("blank page: no text lines to measure the skew by"),
    R.NO_CLEAR_LINES: _("no clear text lines (picture, stains or handwriting)"),
    R.NEARLY_BLANK: _("nearly blank page: too little text to measure the skew"),
    R.TOO_TILTED: _("the lines are tilted %(angle)s degrees, beyond ±%(limit)s: straighten the page by hand"),
    R.SIDEWAYS: _("the page lies sideways and which way is up cannot be told"),
    R.MAYBE_UPSIDE_DOWN: _("the page may be upside down"),
    R.MIXED_COLOUR_MODES: _("one half is colour and the other grey: scan both halves the same way"),
    R.NOTHING_TO_MATCH: _("no details to match between the halves (blank halves?)"),
    R.TOO_FEW_MATCHES: _("only %(inliers)s matching details agree on one placement (%(needed)s needed)"),
    R.SCALE_DIFFERS: _("the halves differ in scale by %(percent)s%%: scanned at different resolutions?"),
    R.REPEATED_HALF: _("the second image repeats the first instead of continuing it"),
    R.OVERLAP_TOO_SMALL: _("the halves overlap by only %(overlap)s mm (%(needed)s mm needed)"),
    R.OVERLAP_DISAGREES: _("the halves do not show the same thing where they overlap (match %(agreement)s)"),
    R.NOT_STITCHED: _("not stitched: %(reason)s"),
    R.HALF_REMOVED: _("the second half was removed"),
    R.NOT_PROCESSED: _("not processed yet: the scan itself is delivered"),
    R.KEPT_OWN_SIZE: _("kept at its own size: %(reason)s"),
}


def explain(reason: str) -> str:
    """One or more pipeline reasons in the active language; an unknown one is shown as it came."""
    parts = reason.split(R.REASON_SEPARATOR) if reason else []
    said, start = [], 0
    while start < len(parts):
        # A reason may itself contain the separator ("page lies sideways; ..."): take the shortest run
        # of parts that is one reason, so a free-text field never swallows the findings after it.
        for end in range(start + 1, len(parts) + 1):
            if (wording := _word(R.REASON_SEPARATOR.join(parts[start:end]))) is not None:
                said.append(wording)
                start = end
                break
        else:
            said.append(parts[start])
            start += 1
    return gettext("; ").join(said)


def _word(reason: str) -> str | None:
    for template, pattern in _patterns():
        found = pattern.fullmatch(reason)
        if found:
            fields = found.groupdict()
            if "reason" in fields:
                fields["reason"] = explain(fields["reason"])
            return str(MESSAGES[template]) % fields
    return None


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [(template, _pattern(template)) for template in MESSAGES]


def _pattern(template: str) -> re.Pattern[str]:
    regex = ""
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        regex += re.escape(literal)
        if field is not None:
            regex += f"(?P<{field}>.+?)"
    return re.compile(regex, re.DOTALL)
