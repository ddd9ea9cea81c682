"""The catalogue in the admin: vocabularies and office settings to edit, items and imports to look at.

Items are read-only here: numbering, archival codes and data checks happen in records.services, which the
catalogue's own screens call and the admin would bypass.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    BusinessCategory,
    BusinessItem,
    CatalogueSettings,
    Classification,
    Fonds,
    ImportJob,
    Item,
    ItemPerson,
    Openness,
    RetentionPeriod,
    Volume,
)


class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["code", "name"]

    # Items refer to their terms; a term out of use is switched off, never deleted.
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.register(Fonds, VocabularyAdmin)
admin.site.register(BusinessCategory, VocabularyAdmin)


@admin.register(RetentionPeriod)
class RetentionPeriodAdmin(VocabularyAdmin):
    list_display = ["code", "name", "years", "order", "is_active"]


@admin.register(BusinessItem)
class BusinessItemAdmin(VocabularyAdmin):
    list_display = ["code", "name", "category", "default_retention", "order", "is_active"]
    list_filter = ["category", "is_active"]
    list_select_related = ["category", "default_retention"]


@admin.register(Classification, Openness)
class DefaultedVocabularyAdmin(VocabularyAdmin):
    list_display = ["code", "name", "is_default", "order", "is_active"]


@admin.register(CatalogueSettings)
class CatalogueSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "default_fonds", "category_code", "code_template"]
    fieldsets = [
        (None, {"fields": ["default_fonds", "category_code", "code_template", "default_creator"]}),
        (None, {"fields": ["sheets_per_cm", "max_volume_cm"]}),
        (None, {"fields": ["legacy_long_term", "legacy_short_term"]}),
    ]

    # One row of settings, created with the office's vocabularies.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return not CatalogueSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ItemPersonInline(admin.TabularInline):
    model = ItemPerson
    fields = ["position", "name", "citizen_id"]
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = [
        "archival_code",
        "title",
        "year",
        "retention",
        "business_item",
        "page_count",
        "verified_at",
    ]
    list_filter = ["year", "retention", "business_category", "legacy_code"]
    list_select_related = ["retention", "business_item"]
    search_fields = ["archival_code", "title", "employer_name", "employer_code", "persons__citizen_id"]
    show_full_result_count = False  # a million items: no COUNT(*) on every page
    inlines = [ItemPersonInline]


@admin.register(Volume)
class VolumeAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "year", "retention", "business_category", "page_count"]
    list_filter = ["year", "retention", "business_category"]
    list_select_related = ["fonds", "retention", "business_category"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "fonds", "uploaded_by", "created_at", "status", "imported", "updated"]
    list_filter = ["status", "fonds"]
    list_select_related = ["fonds", "uploaded_by"]
    search_fields = ["original_name"]
    date_hierarchy = "created_at"
