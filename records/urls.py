from django.urls import path, re_path

from . import views

app_name = "records"

urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/export.xlsx", views.item_export, name="item_export"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("checks/", views.issue_list, name="issue_list"),
    path("checks/recheck/", views.issue_recheck, name="issue_recheck"),
    path("checks/recheck/status/", views.issue_recheck_status, name="issue_recheck_status"),
    path("volumes/", views.volume_list, name="volume_list"),
    path("volumes/<int:pk>/", views.volume_detail, name="volume_detail"),
    path("volumes/assemble/", views.volume_assemble, name="volume_assemble"),
    re_path(r"^volumes/register\.(?P<fmt>pdf|xlsx)$", views.volume_register, name="volume_register"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/headers/", views.import_map_headers, name="import_map_headers"),
    path("imports/<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("imports/<int:pk>/errors.xlsx", views.import_error_workbook, name="import_error_workbook"),
    path("imports/<int:pk>/report.json", views.import_report, name="import_report"),
]
