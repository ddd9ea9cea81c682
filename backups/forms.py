from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BackupCopy, BackupRun


class BackupCopyForm(forms.ModelForm):
    class Meta:
        model = BackupCopy
        fields = ["name", "purpose", "medium", "label", "location", "custodian"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if is_select else "form-control"


class RunForm(forms.Form):
    kind = forms.ChoiceField(choices=BackupRun.Kind.choices, widget=forms.HiddenInput)
    target = forms.CharField(
        label=_("Target folder"), max_length=500, widget=forms.TextInput(attrs={"class": "form-control"})
    )
