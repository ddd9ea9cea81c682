from collections.abc import Iterable

from django import template

from records.models import Item

from ..services import published_items

register = template.Library()


@register.simple_tag
def published_ids(items: Iterable[Item]) -> set[int]:
    """Which of a page of items have their images published (one query for the whole page)."""
    ids = [item.pk for item in items]
    return set(published_items().filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
