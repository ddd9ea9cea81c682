from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QcConfig(AppConfig):
    name = "qc"
    verbose_name = _("Quality inspection")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(ensure_after_migrate, sender=self, dispatch_uid="qc_quality_settings")


def ensure_after_migrate(**kwargs: object) -> None:
    """Give a fresh install (and a test database after a flush) the office's default quality settings."""
    from .models import QualitySettings

    QualitySettings.current()
