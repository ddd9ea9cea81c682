from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch is on the login page too, before anyone has signed in.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("audit/", views.audit_log, name="audit_log"),
    path("status/", views.system_status_panel, name="system_status"),
    path("records/", include("records.urls")),
    path("batches/", include("digitization.urls")),
    path("qc/", include("qc.urls")),
    path("storage/", include("storage.urls")),
    path("backups/", include("backups.urls")),
    path("admin/", admin.site.urls),
]
