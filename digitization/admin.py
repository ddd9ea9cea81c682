from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ImagingSettings, ScopeRule


@admin.register(ImagingSettings)
class ImagingSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "jpeg_quality", "margin_mm", "same_size_mm"]

    # One row of settings, made on first use.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ImagingSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScopeRule)
class ScopeRuleAdmin(admin.ModelAdmin):
    list_display = ["business_category", "retention", "in_scope"]
    list_filter = ["in_scope", "retention"]
    list_editable = ["in_scope"]
    list_select_related = ["business_category", "retention"]
