"""Pagination without COUNT(*): on a million rows the count costs more than the page itself."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

MAX_PAGE = 10_000


@dataclass
class Page:
    object_list: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def page_number(raw: str | None) -> int:
    try:
        return min(max(int(raw or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


def paginate(queryset: QuerySet[Any], raw_page: str | None, per_page: int) -> Page:
    """Fetch one row beyond the page to learn whether another page follows."""
    number = page_number(raw_page)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return Page(object_list=rows[:per_page], number=number, has_next=len(rows) > per_page)
