"""Every reason the pipeline gives an operator, as an English template with ``str.format`` fields.

Keeping them in one place lets the web app word each one in the reader's language: it matches a
filled-in reason back to its template (``digitization.reasons``), and a test holds the two lists
together. Reasons joined with REASON_SEPARATOR are several findings about one page.
"""

REASON_SEPARATOR = "; "

# Files that cannot be read
EMPTY_FILE = "empty file"
NOT_AN_IMAGE = "not an image file (format not recognised)"
DECOMPRESSION_BOMB = "image has too many pixels (possible decompression bomb)"
UNREADABLE_HEADER = "cannot read image header: {detail}"
TOO_MANY_PIXELS = "image has {width}x{height} pixels, above the limit of {limit}"
TOO_SMALL = "image is only {width}x{height} pixels, too small for a page scan"
SEVERAL_PAGES = "file holds {pages} pages; split it into one file per page"
OUT_OF_MEMORY = "image too large to decode in memory"
UNDECODABLE = "cannot decode image: {detail}"
FLOATING_POINT = "32-bit floating point images are not scans; convert to 8 or 16 bit"
DAMAGED_JPEG = "JPEG data is truncated or damaged: {detail}"
PROCESSING_FAILED = "processing failed: {detail}"

# Pages processed conservatively, for a person to look at
NO_PAPER = "no paper found: the image is almost entirely dark"
PHOTOGRAPH = "photograph or picture: no plain paper with text lines"
BLANK_PAGE = "blank page: no text lines to measure"
NO_CLEAR_LINES = "no clear text lines (picture, stains or handwriting)"
NEARLY_BLANK = "nearly blank page: too little text to measure skew"
TOO_TILTED = "lines tilted {angle:+.1f} degrees, beyond +-{limit:.0f}: straighten by hand"
SIDEWAYS = "page lies sideways; cannot tell which way up"
MAYBE_UPSIDE_DOWN = "page may be upside down"

# Halves of an oversized page that cannot be joined surely
MIXED_COLOUR_MODES = "one half is colour and the other grey: scan both halves the same way"
NOTHING_TO_MATCH = "no details to match between the halves (blank halves?)"
TOO_FEW_MATCHES = "only {inliers} matching details agree on one placement (need {needed})"
SCALE_DIFFERS = "halves differ in scale by {percent:.1f}%: scanned at different dpi?"
REPEATED_HALF = "the second image repeats the first instead of continuing it"
OVERLAP_TOO_SMALL = "halves overlap by only {overlap:.0f} mm (need {needed:.0f})"
OVERLAP_DISAGREES = "the halves do not show the same thing where they overlap (match {agreement:.2f})"
NOT_STITCHED = "not stitched: {reason}"
HALF_REMOVED = "the second half was removed"

# Pages an item ZIP delivers at their own size instead of the item's common one
NOT_PROCESSED = "not processed yet: the scan itself is delivered"
KEPT_OWN_SIZE = "kept at its own size: {reason}"
