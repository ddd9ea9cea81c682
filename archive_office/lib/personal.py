"""Personal data shown to people: citizen ID numbers are masked for roles whose work does not need them."""

# Area code (4) and the last four characters stay readable, so a clerk can still tell two people apart.
_KEPT_AT_START = 4
_KEPT_AT_END = 4


def mask_citizen_id(number: str) -> str:
    """`610102199001011234` → `6101**********1234`; too short to mask, it is hidden whole."""
    if not number:
        return ""
    if len(number) <= _KEPT_AT_START + _KEPT_AT_END:
        return "*" * len(number)
    hidden = len(number) - _KEPT_AT_START - _KEPT_AT_END
    return number[:_KEPT_AT_START] + "*" * hidden + number[-_KEPT_AT_END:]
