from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .vocabularies import ensure_after_migrate

        post_migrate.connect(ensure_after_migrate, sender=self, dispatch_uid="records_vocabularies")
