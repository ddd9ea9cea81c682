from django.urls import path, re_path

from . import views

app_name = "qc"

urlpatterns = [
    path("", views.sample_list, name="sample_list"),
    path("batches/<int:pk>/draw/", views.sample_draw, name="sample_draw"),
    path("samples/<int:pk>/", views.sample_detail, name="sample_detail"),
    path("samples/<int:pk>/decide/", views.sample_decide, name="sample_decide"),
    path("units/<int:pk>/", views.unit_inspect, name="unit_inspect"),
    path("units/<int:pk>/inspection/", views.unit_record, name="unit_record"),
    path("units/<int:pk>/defects/", views.defect_add, name="defect_add"),
    path("defects/<int:pk>/remove/", views.defect_remove, name="defect_remove"),
    path("dashboard/", views.quality_dashboard, name="dashboard"),
    path("billing/", views.billing_statement, name="billing"),
    re_path(r"^billing/statement\.(?P<fmt>xlsx|pdf)$", views.billing_download, name="billing_download"),
]
