from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigitizationConfig(AppConfig):
    name = "digitization"
    verbose_name = _("Digitization")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .scope import ensure_after_migrate

        post_migrate.connect(ensure_after_migrate, sender=self, dispatch_uid="digitization_scope_rules")
