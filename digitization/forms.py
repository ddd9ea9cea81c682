from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from records.codes import normalize_code
from records.models import Item, Volume

from .models import Batch


def free_volumes() -> Any:
    """Volumes none of whose items is in a batch yet."""
    return (
        Volume.objects.exclude(placements__item__batch_item__isnull=False)
        .select_related("fonds", "retention", "business_category")
        .order_by("-year", "retention__order", "business_category__order", "number")
    )


class BatchForm(forms.ModelForm):
    volumes = forms.ModelMultipleChoiceField(
        label=_("Volumes received"),
        queryset=Volume.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )
    item_codes = forms.CharField(
        label=_("Loose items (one archival code per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Batch
        fields = ["received_on", "scan_format", "note"]
        widgets = {
            # type=date needs ISO dates whatever the language, so the format is fixed.
            "received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volumes"].queryset = free_volumes()
        self.initial.setdefault("received_on", timezone.localdate())

    def clean_item_codes(self) -> list[Item]:
        codes = [
            normalize_code(line) for line in self.cleaned_data["item_codes"].splitlines() if line.strip()
        ]
        found = {item.archival_code: item for item in Item.objects.filter(archival_code__in=codes)}
        if missing := [code for code in codes if code not in found]:
            raise forms.ValidationError(
                _("No item has the archival code %(codes)s.") % {"codes": "、".join(missing)}
            )
        return list(found.values())


class NumberingForm(forms.Form):
    first_page = forms.IntegerField(label=_("First page number"), min_value=1)
    last_page = forms.IntegerField(label=_("Last page number"), min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("first_page") and data.get("last_page") and data["last_page"] < data["first_page"]:
            raise forms.ValidationError(_("The last page number comes before the first."))
        return data


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class DifferenceForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the difference"), widget=forms.Textarea(attrs={"rows": 2}))
    handling = forms.CharField(label=_("Handling"), widget=forms.Textarea(attrs={"rows": 2}))


class LinkForm(forms.Form):
    archival_code = forms.CharField(label=_("Archival code"), required=False)
    sequence = forms.IntegerField(label=_("Image number"), min_value=1, max_value=9999, required=False)

    def clean_archival_code(self) -> Item | None:
        code = normalize_code(self.cleaned_data["archival_code"])
        if not code:
            return None
        item = Item.objects.filter(archival_code=code).first()
        if item is None:
            raise forms.ValidationError(_("No item has the archival code %(codes)s.") % {"codes": code})
        return item
