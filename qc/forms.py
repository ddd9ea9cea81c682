from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from . import sampling
from .models import MIN_SAMPLE_RATE, Check, Defect, Sample, Verdict


class DrawForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Sampling mode"),
        choices=Sample.Mode.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    rate = forms.DecimalField(
        label=_("Rate (%)"),
        min_value=MIN_SAMPLE_RATE,
        max_value=Decimal("100"),
        decimal_places=2,
        required=False,
        help_text=_("For the random modes; at least 5%."),
    )
    aql = forms.ChoiceField(
        label=_("AQL"),
        choices=[(aql, aql) for aql in sampling.AQLS],
        required=False,
        help_text=_("For GB/T 2828.1: percent nonconforming items."),
    )


class DefectForm(forms.Form):
    kind = forms.ChoiceField(label=_("Defect type"), choices=Defect.Kind.choices)
    note = forms.CharField(label=_("Note"), max_length=1000)
    on_image = forms.BooleanField(label=_("On the image shown"), required=False)
    page = forms.IntegerField(required=False, widget=forms.HiddenInput)


class InspectionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for check in Check:
            self.fields[check.value] = forms.BooleanField(label=check.label, required=False)

    def checks(self) -> dict[str, bool]:
        return {check.value: self.cleaned_data.get(check.value, False) for check in Check}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=Verdict.Decision.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
