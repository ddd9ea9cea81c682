from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BackupCopy, BackupRun


class BackupCopyForm(forms.ModelForm):
    class Meta:
        model = BackupCopy
        fields = ["name", "purpose", "medium", "label", "location", "custodian"]


class RunForm(forms.Form):
    kind = forms.ChoiceField(choices=BackupRun.Kind.choices, widget=forms.HiddenInput)
    target = forms.CharField(
        label=_("Target folder"), max_length=500, widget=forms.TextInput(attrs={"class": "form-control"})
    )
