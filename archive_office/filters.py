import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    actor_name = django_filters.CharFilter(label=_("User name"), lookup_expr="iexact")
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditEvent.Action.choices)
    target_type = django_filters.ModelChoiceFilter(
        label=_("Object type"),
        queryset=ContentType.objects.filter(
            app_label__in=["archive_office", "records", "digitization", "qc", "storage"]
        ),
    )
    target_id = django_filters.CharFilter(label=_("Object id"))
    since = django_filters.DateFilter(
        label=_("From"),
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("To"),
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["actor_name", "action", "target_type", "target_id", "since", "until"]
