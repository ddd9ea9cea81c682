"""Cataloguing forms, laid out for all-day keyboard entry: the tab order follows the paper form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import codes, dates, identifiers
from .importing.reader import FIELDS, IGNORE, WorkbookError, sniff
from .models import (
    BusinessCategory,
    BusinessItem,
    CatalogueSettings,
    Classification,
    Fonds,
    Item,
    Openness,
    RetentionPeriod,
)
from .rules import PersonEntry, title_findings


class ItemForm(forms.ModelForm):
    class Meta:
        model = Item
        fields = [
            "fonds",
            "year",
            "business_item",
            "retention",
            "title",
            "creator",
            "date",
            "document_number",
            "page_count",
            "employer_code",
            "employer_name",
            "serial_number",
            "handler",
            "handled_on",
            "keywords",
            "classification",
            "openness",
            "remarks",
        ]
        widgets = {
            "title": forms.TextInput(attrs={"autofocus": True}),
            "remarks": forms.Textarea(attrs={"rows": 2}),
            "year": forms.NumberInput(attrs={"min": 1900, "max": 2100}),
            "page_count": forms.NumberInput(attrs={"min": 1}),
            "date": forms.TextInput(attrs={"placeholder": "YYYYMMDD", "inputmode": "numeric"}),
            "handled_on": forms.TextInput(attrs={"placeholder": "YYYYMMDD", "inputmode": "numeric"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business_item"].queryset = BusinessItem.objects.filter(is_active=True).select_related(
            "category", "default_retention"
        )
        self.fields["retention"].required = False
        self.fields["retention"].help_text = _("Empty: the business item's default retention.")
        self.fields["year"].required = True
        for name, model in (("classification", Classification), ("openness", Openness)):
            default = model.objects.filter(is_default=True).first()
            if default and not self.initial.get(name):
                self.initial[name] = default.pk
        if not self.instance.pk:
            settings = CatalogueSettings.current()
            self.initial.setdefault("fonds", settings.default_fonds_id)
            self.initial.setdefault("creator", settings.default_creator)

    def clean_title(self) -> str:
        title = self.cleaned_data["title"]
        for finding in title_findings(title):
            raise forms.ValidationError(finding.message)
        return title

    def clean_page_count(self) -> int:
        try:
            return codes.check_page_count(self.cleaned_data["page_count"])
        except codes.CodeError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_date(self) -> str:
        return _clean_catalogue_date(self.cleaned_data["date"])

    def clean_handled_on(self) -> str:
        return _clean_catalogue_date(self.cleaned_data["handled_on"])

    def clean_employer_code(self) -> str:
        code = self.cleaned_data["employer_code"].strip()
        if not code:
            return ""
        try:
            return identifiers.check_employer_code(code)
        except identifiers.IdentifierError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        business_item: BusinessItem | None = data.get("business_item")
        if business_item and not data.get("retention"):
            data["retention"] = business_item.default_retention
        if data.get("employer_code") and not data.get("employer_name", "").strip():
            self.add_error("employer_name", _("An employer code needs the employer's name."))
        return data

    def save(self, commit: bool = False) -> Item:
        item = super().save(commit=False)
        item.business_category = item.business_item.category
        if not item.category_code:
            item.category_code = CatalogueSettings.current().category_code
        return item


def _clean_catalogue_date(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        return str(dates.parse_catalogue_date(value))
    except dates.DateError as error:
        raise forms.ValidationError(str(error)) from None


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    citizen_id = forms.CharField(label=_("Citizen ID number"), max_length=30, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        name, raw_id = data.get("name", "").strip(), data.get("citizen_id", "").strip()
        if raw_id and not name:
            self.add_error("name", _("A citizen ID needs the person's name."))
        if raw_id:
            try:
                checked = identifiers.check_citizen_id(raw_id)
            except identifiers.IdentifierError as error:
                self.add_error("citizen_id", str(error))
            else:
                data["citizen_id"] = checked.value
                self.warnings = list(checked.warnings)
        return data

    def entry(self) -> PersonEntry | None:
        data = self.cleaned_data
        if not data.get("name", "").strip():
            return None
        return PersonEntry(name=data["name"].strip(), citizen_id=data.get("citizen_id", ""))


PersonFormSet = forms.formset_factory(PersonForm, extra=2, max_num=50)


def person_entries(formset: forms.BaseFormSet) -> list[PersonEntry]:
    return [entry for form in formset.forms if (entry := form.entry()) is not None]


def carried_from(item: Item) -> dict[str, Any]:
    """What the next entry starts with: a cataloguer works through one year and business item at a time."""
    return {
        "fonds": item.fonds_id,
        "year": item.year,
        "business_item": item.business_item_id,
        "retention": item.retention_id,
        "creator": item.creator,
        "classification": item.classification_id,
        "openness": item.openness_id,
    }


class AssembleForm(forms.Form):
    """Which group to assemble into volumes: one year, retention and business category of one fonds."""

    fonds = forms.ModelChoiceField(label=_("Fonds"), queryset=Fonds.objects.all())
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100)
    retention = forms.ModelChoiceField(label=_("Retention"), queryset=RetentionPeriod.objects.all())
    business_category = forms.ModelChoiceField(
        label=_("Business category"), queryset=BusinessCategory.objects.all()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("fonds", CatalogueSettings.current().default_fonds_id)


MAX_IMPORT_MB = 50


class ImportUploadForm(forms.Form):
    """A legacy catalogue workbook and the fonds its items belong to; files that are no workbook stop here."""

    file = forms.FileField(
        label=_("Catalogue workbook"),
        help_text=_("An Excel workbook (.xlsx or .xls) of at most 50 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls"}),
    )
    fonds = forms.ModelChoiceField(
        label=_("Fonds"),
        queryset=Fonds.objects.filter(is_active=True),
        required=False,
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("fonds", CatalogueSettings.current().default_fonds_id)
        self.fields["fonds"].label_from_instance = lambda fonds: f"{fonds.code} {fonds.name}"

    def clean_fonds(self) -> Fonds:
        return self.cleaned_data["fonds"] or CatalogueSettings.current().default_fonds

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_MB * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 50 MB: split the workbook by year."))
        try:
            sniff(upload)
        except WorkbookError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


class HeaderMappingForm(forms.Form):
    """One choice per unknown header of an import: the catalogue field its column holds, or not read."""

    def __init__(self, *args: Any, headers: list[str], current: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [(IGNORE, _("(not read)")), *FIELDS.items()]
        for index, header in enumerate(headers):
            self.fields[f"header_{index}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                initial=current.get(header, IGNORE),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def mapping(self) -> dict[str, str]:
        return {header: self.cleaned_data[f"header_{index}"] for index, header in enumerate(self.headers)}


class ImportCommitForm(forms.Form):
    GOOD_ROWS, ALL_OR_NOTHING = "good_rows", "all_or_nothing"

    mode = forms.ChoiceField(
        label=_("Import"),
        choices=[
            (GOOD_ROWS, _("The good rows now; the rows with errors after they are corrected")),
            (ALL_OR_NOTHING, _("All or nothing: nothing unless every row is good")),
        ],
        initial=GOOD_ROWS,
        widget=forms.RadioSelect,
    )
