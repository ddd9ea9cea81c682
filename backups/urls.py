from django.urls import path

from . import views

app_name = "backups"
urlpatterns = [
    path("", views.copy_list, name="copy_list"),
    path("new/", views.copy_create, name="copy_create"),
    path("<int:pk>/", views.copy_detail, name="copy_detail"),
    path("<int:pk>/run/", views.copy_run, name="copy_run"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
]
