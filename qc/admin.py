"""Inspection in the admin: the office's quality settings to edit; samples, defects and verdicts to look at.

Samples and verdicts are evidence, and inspections and defects are recorded through qc.services with
their audit trail, so none of them can be added, changed or deleted here.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Defect, Inspection, QualitySettings, Sample, SampleUnit, Verdict


@admin.register(QualitySettings)
class QualitySettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "sample_rate", "default_aql", "unit_price", "contract_cap", "contract_end"]
    fieldsets = [
        (None, {"fields": ["sample_rate", "default_aql"]}),
        (
            None,
            {"fields": ["unit_price", "contract_cap", "contract_pages", "contract_start", "contract_end"]},
        ),
    ]

    # One row of settings, created after migrate.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return not QualitySettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SampleUnitInline(admin.TabularInline):
    model = SampleUnit
    fields = ["position", "item", "volume", "stratum"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Sample)
class SampleAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "mode", "lot_size", "sample_size", "seed", "drawn_by", "drawn_at"]
    list_filter = ["mode"]
    list_select_related = ["batch", "drawn_by"]
    search_fields = ["batch__code"]
    inlines = [SampleUnitInline]


@admin.register(Defect)
class DefectAdmin(ReadOnlyAdmin):
    list_display = ["unit", "kind", "page_name", "critical", "note", "recorded_by", "recorded_at"]
    list_filter = ["kind", "scope", "critical"]
    list_select_related = ["unit__sample__batch", "unit__item", "recorded_by"]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ["unit", "passed", "inspector", "inspected_at"]
    list_filter = ["passed"]
    list_select_related = ["unit__sample__batch", "unit__item", "inspector"]


@admin.register(Verdict)
class VerdictAdmin(ReadOnlyAdmin):
    list_display = ["sample", "decision", "billable_pages", "unit_price", "decided_by", "decided_at"]
    list_filter = ["decision"]
    list_select_related = ["sample__batch", "decided_by"]
