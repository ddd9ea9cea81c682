"""Storage forms. Scanning pages take one code per submission: what a keyboard-wedge scanner types."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive_office.models import User
from records.models import BusinessCategory, CatalogueSettings, Fonds, RetentionPeriod

from .labels import SPINE_WIDTHS_MM
from .models import Location, LookupRequest, RemarksSheet

LOAN_DAYS = 30  # the usual loan period offered; the clerk may choose any date


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, so templates render fields with `{{ field }}` alone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class BoxingForm(StyledForm):
    first_item = forms.CharField(
        label=_("First item in the box"), max_length=60, help_text=_("Item number or archival code")
    )
    last_item = forms.CharField(
        label=_("Last item in the box"), max_length=60, help_text=_("Item number or archival code")
    )
    notes = forms.CharField(
        label=_("Notes for the remarks sheet"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RemarksForm(forms.ModelForm):
    class Meta:
        model = RemarksSheet
        fields = ["notes", "arranged_by", "arranged_on", "checked_by", "checked_on"]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
            "arranged_by": forms.TextInput(attrs={"class": "form-control"}),
            "arranged_on": forms.DateInput(
                attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"
            ),
            "checked_by": forms.TextInput(attrs={"class": "form-control"}),
            "checked_on": forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        }


class LocationRangeForm(StyledForm):
    """A rack face's cells in one go: every level and cell up to the numbers given."""

    FACES = {"L": ["L"], "R": ["R"], "LR": ["L", "R"]}

    room = forms.IntegerField(label=_("Store room"), min_value=1, max_value=99)
    area = forms.IntegerField(label=_("Area"), min_value=1, max_value=99)
    rack = forms.IntegerField(label=_("Rack"), min_value=1, max_value=999)
    faces = forms.ChoiceField(
        label=_("Faces"), choices=[("L", _("L face")), ("R", _("R face")), ("LR", _("Both faces"))]
    )
    levels = forms.IntegerField(label=_("Levels"), min_value=1, max_value=99)
    cells = forms.IntegerField(label=_("Cells per level"), min_value=1, max_value=999)
    capacity = forms.IntegerField(label=_("Boxes per cell"), min_value=1, max_value=999, required=False)

    def locations(self) -> list[Location]:
        data = self.cleaned_data
        return [
            Location(
                room=data["room"],
                area=data["area"],
                rack=data["rack"],
                face=face,
                level=level,
                cell=cell,
                capacity=data["capacity"],
            )
            for face in self.FACES[data["faces"]]
            for level in range(1, data["levels"] + 1)
            for cell in range(1, data["cells"] + 1)
        ]


class ScanForm(forms.Form):
    code = forms.CharField(max_length=200)
    cell = forms.IntegerField(required=False, widget=forms.HiddenInput)


def _borrowers() -> Any:
    return User.objects.filter(is_active=True).order_by("full_name", "username")


class LendForm(StyledForm):
    borrower = forms.ModelChoiceField(label=_("Staff member"), queryset=User.objects.none(), required=False)
    department = forms.CharField(label=_("Business department"), max_length=100, required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    due_on = forms.DateField(
        label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"due_on": timezone.localdate() + datetime.timedelta(days=LOAN_DAYS)})
        super().__init__(*args, **kwargs)
        self.fields["borrower"].queryset = _borrowers()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("borrower") and not data.get("department", "").strip():
            raise forms.ValidationError(_("Choose the borrower: a staff member or a business department."))
        return data


class MoveForm(StyledForm):
    first_box = forms.CharField(label=_("First box"), max_length=60, help_text=_("Scan or type its code"))
    last_box = forms.CharField(label=_("Last box"), max_length=60, help_text=_("Scan or type its code"))
    start = forms.CharField(label=_("Starting cell"), max_length=60, help_text=_("Scan its shelf label"))


class LookupForm(forms.ModelForm):
    class Meta:
        model = LookupRequest
        fields = ["requested_by", "on_behalf_of", "purpose", "query"]
        widgets = {
            "requested_by": forms.TextInput(attrs={"class": "form-control", "autofocus": True}),
            "on_behalf_of": forms.TextInput(attrs={"class": "form-control"}),
            "purpose": forms.TextInput(attrs={"class": "form-control"}),
            "query": forms.TextInput(attrs={"class": "form-control"}),
        }


class PrintForm(StyledForm):
    """Which printable, and for which boxes: those on a rack, a range of box numbers, or a batch's."""

    KINDS = [("spine", _("Spine labels")), ("cover", _("Box covers")), ("remarks", _("Remarks sheets"))]
    BY = [("shelf", _("A shelf")), ("range", _("A range of volumes")), ("batch", _("A batch"))]

    kind = forms.ChoiceField(label=_("Print"), choices=KINDS)
    width = forms.TypedChoiceField(
        label=_("Spine width"),
        choices=[(w, f"{w} mm") for w in SPINE_WIDTHS_MM],
        coerce=int,
        initial=30,
        required=False,
    )
    by = forms.ChoiceField(label=_("Boxes of"), choices=BY, widget=forms.HiddenInput)
    rack = forms.ChoiceField(label=_("Shelf"), choices=[], required=False)
    fonds = forms.ModelChoiceField(label=_("Fonds"), queryset=Fonds.objects.all(), required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100, required=False)
    retention = forms.ModelChoiceField(
        label=_("Retention"), queryset=RetentionPeriod.objects.all(), required=False
    )
    business_category = forms.ModelChoiceField(
        label=_("Business category"), queryset=BusinessCategory.objects.all(), required=False
    )
    first_number = forms.IntegerField(label=_("From number"), min_value=1, required=False)
    last_number = forms.IntegerField(label=_("To number"), min_value=1, required=False)
    batch = forms.ModelChoiceField(label=_("Batch"), queryset=None, required=False)  # type: ignore[arg-type]

    REQUIRED = {
        "shelf": ["rack"],
        "range": ["fonds", "year", "retention", "business_category", "first_number", "last_number"],
        "batch": ["batch"],
    }

    def __init__(self, *args: Any, batches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = batches
        self.fields["rack"].choices = [
            (f"{room}-{area}-{rack}", Location(room=room, area=area, rack=rack).rack_name)
            for room, area, rack in Location.objects.racks()
        ]
        settings = CatalogueSettings.objects.select_related("default_fonds").filter(pk=1).first()
        if settings:
            self.fields["fonds"].initial = settings.default_fonds

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.REQUIRED.get(data.get("by", ""), []):
            if data.get(name) in (None, ""):
                self.add_error(name, forms.Field.default_error_messages["required"])
        if data.get("kind") == "spine" and not data.get("width"):
            self.add_error("width", forms.Field.default_error_messages["required"])
        return data

    def rack_parts(self) -> tuple[int, int, int]:
        room, area, rack = (int(part) for part in self.cleaned_data["rack"].split("-"))
        return room, area, rack
