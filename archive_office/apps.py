from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveOfficeConfig(AppConfig):
    name = "archive_office"
    verbose_name = _("Archive office")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import audit, checks, roles  # noqa: F401  (registers the checks and the auth signal receivers)

        post_migrate.connect(roles.sync_after_migrate, dispatch_uid="sync_role_groups")
