"""Storage facts shown on other apps' pages: which files of a list are out on loan, and durations."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django import template

from records.models import Item
from storage.models import Loan

register = template.Library()


@register.simple_tag
def open_loans(items: Iterable[Item]) -> dict[int, dict[str, object]]:
    """The open loans of a page of items, by item id, in one query whatever the page size."""
    return Loan.objects.by_item(item.pk for item in items)


@register.inclusion_tag("storage/includes/loan_badge.html")
def loan_badge(loans: dict[int, dict[str, object]], item: Item) -> dict[str, object]:
    return {"loan": loans.get(item.pk)}


@register.filter
def minutes(duration: datetime.timedelta | None) -> str:
    """A duration in minutes with one decimal, as the lookup benchmark counts it."""
    if duration is None:
        return ""
    return f"{duration.total_seconds() / 60:.1f}"
