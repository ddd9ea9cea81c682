import django_filters
from django import forms
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from .models import BusinessCategory, BusinessItem, Fonds, Item, RetentionPeriod
from .search import search_items

# The search page is reloaded all day; its dropdowns list vocabularies that change a few times a year.
# Their choices come from the cache (a change in the admin shows within a minute); validating a chosen
# value still goes to the database.
CHOICES_CACHE_SECONDS = 60


def _choices_key(model: type) -> str:
    return f"records:choices:{model._meta.label_lower}"


def forget_cached_choices() -> None:
    cache.delete_many(
        [_choices_key(model) for model in (Fonds, BusinessCategory, BusinessItem, RetentionPeriod)]
    )


def cached_choices(field: forms.ModelChoiceField) -> list[tuple[object, str]]:
    key = _choices_key(field.queryset.model)
    choices = cache.get(key)
    if choices is None:
        choices = [(obj.pk, str(obj)) for obj in field.queryset.all()]
        cache.set(key, choices, CHOICES_CACHE_SECONDS)
    return [("", field.empty_label), *choices] if field.empty_label is not None else choices


SORTS = {
    "code": ["archival_code"],
    "-code": ["-archival_code"],
    "year": ["year", "archival_code"],
    "-year": ["-year", "archival_code"],
    "-updated": ["-updated_at"],
}


class ItemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    year = django_filters.NumberFilter(label=_("Year"))
    fonds = django_filters.ModelChoiceFilter(label=_("Fonds"), queryset=Fonds.objects.all())
    business_category = django_filters.ModelChoiceFilter(
        label=_("Business category"), queryset=BusinessCategory.objects.all()
    )
    business_item = django_filters.ModelChoiceFilter(
        label=_("Business item"), queryset=BusinessItem.objects.all()
    )
    retention = django_filters.ModelChoiceFilter(label=_("Retention"), queryset=RetentionPeriod.objects.all())
    sort = django_filters.ChoiceFilter(
        label=_("Sort"),
        method="sort_by",
        empty_label=None,
        choices=[
            ("-year", _("Newest year first")),
            ("year", _("Oldest year first")),
            ("code", _("Archival code")),
            ("-code", _("Archival code, descending")),
            ("-updated", _("Recently changed")),
        ],
    )

    class Meta:
        model = Item
        fields = ["q", "year", "fonds", "business_category", "business_item", "retention", "sort"]

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                field.widget.choices = cached_choices(field)
            if name != "q":
                css = (
                    "form-select form-select-sm"
                    if hasattr(field, "choices")
                    else "form-control form-control-sm"
                )
                field.widget.attrs["class"] = css

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return search_items(queryset, value)

    def sort_by(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.order_by(*SORTS.get(value, SORTS["-year"]))
