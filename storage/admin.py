"""Shelf cells to correct in the admin (a cell's capacity changes when a rack is refitted).

Boxes, placements, loans and lookups are not edited here: their rules and audit records live in
storage.services, which the admin would bypass.
"""

from django.contrib import admin

from .models import Location


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "room", "area", "rack", "face", "level", "cell", "capacity"]
    list_editable = ["capacity"]
    list_filter = ["room", "area", "face"]
    ordering = ["room", "area", "rack", "face", "level", "cell"]
