from django.urls import path, re_path

from . import views

app_name = "storage"

urlpatterns = [
    path("", views.box_list, name="box_list"),
    path("boxing/", views.volume_queue, name="volume_queue"),
    path("boxing/<int:volume_pk>/", views.box_create, name="box_create"),
    path("boxes/print.pdf", views.box_print, name="box_print"),
    path("boxes/<int:pk>/", views.box_detail, name="box_detail"),
    path("boxes/<int:pk>/remarks/", views.remarks_edit, name="remarks_edit"),
    re_path(
        r"^boxes/(?P<pk>[0-9]+)/(?P<kind>spine|cover|remarks)\.pdf$",
        views.box_printable,
        name="box_printable",
    ),
    path("locations/", views.location_list, name="location_list"),
    path("locations/add/", views.location_add, name="location_add"),
    path("locations/labels.pdf", views.location_labels, name="location_labels"),
    path("locations/<int:pk>/", views.location_detail, name="location_detail"),
    path("shelve/", views.shelve, name="shelve"),
    path("move/", views.move, name="move"),
    path("loans/", views.loan_list, name="loan_list"),
    path("loans/lend/", views.lend, name="lend"),
    path("loans/return/", views.return_scan, name="return"),
    path("lookups/", views.lookup_list, name="lookup_list"),
    path("lookups/new/", views.lookup_create, name="lookup_create"),
    path("lookups/<int:pk>/", views.lookup_detail, name="lookup_detail"),
    path("lookups/<int:pk>/found/", views.lookup_found, name="lookup_found"),
]
