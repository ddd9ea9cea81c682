from django.contrib import admin

from .models import BackupCopy, BackupRun, FixityCheck


@admin.register(BackupCopy)
class BackupCopyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "purpose",
        "medium",
        "location",
        "written_at",
        "last_verified_at",
        "last_verification_ok",
    ]


@admin.register(BackupRun)
class BackupRunAdmin(admin.ModelAdmin):
    list_display = ["copy", "kind", "status", "started_at", "finished_at"]


@admin.register(FixityCheck)
class FixityCheckAdmin(admin.ModelAdmin):
    list_display = ["page", "checked_at", "ok", "problem"]
    list_filter = ["ok"]
