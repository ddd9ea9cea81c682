"""What every app shares: the office's org units, its users and their roles, and the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role

if TYPE_CHECKING:
    from collections.abc import Iterable


class OrgUnit(models.Model):
    """A node of the city / district / street tree that users belong to."""

    class Level(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        STREET = "street", _("Street")

    # The level a unit's parent must have; a city has none.
    PARENT_LEVEL = {Level.CITY: None, Level.DISTRICT: Level.CITY, Level.STREET: Level.DISTRICT}

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=20, unique=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="orgunit_unique_name_in_parent"),
            models.CheckConstraint(
                condition=models.Q(level="city", parent__isnull=True)
                | (~models.Q(level="city") & models.Q(parent__isnull=False)),
                name="orgunit_only_cities_are_roots",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected = self.PARENT_LEVEL[self.Level(self.level)]
        if expected is None and self.parent_id is not None:
            raise ValidationError({"parent": _("A city has no parent unit.")})
        if expected is not None and (self.parent is None or self.parent.level != expected):
            raise ValidationError(
                {
                    "parent": _("The parent of a %(level)s must be a %(parent)s.")
                    % {"level": self.get_level_display(), "parent": self.Level(expected).label}
                }
            )

    def path(self) -> list[OrgUnit]:
        """This unit and its ancestors, city first (the tree is three levels deep)."""
        units: list[OrgUnit] = []
        unit: OrgUnit | None = self
        while unit is not None:
            units.append(unit)
            unit = unit.parent
        return units[::-1]


class UserManager(DjangoUserManager):
    def with_role(self, role: Role) -> models.QuerySet[User]:
        return self.filter(is_active=True, groups__name=role.value)

    def count_by_role(self) -> Iterable[tuple[Role, int]]:
        counts = dict(
            self.filter(is_active=True, groups__name__in=Role.values)
            .values_list("groups__name")
            .annotate(n=models.Count("id", distinct=True))
        )
        return [(role, counts.get(role.value, 0)) for role in Role]


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def role(self) -> Role | None:
        """The user's role; with several groups the most powerful wins, as navigation shows their union."""
        names = self.role_names()
        for role in (Role.ADMINISTRATOR, Role.SUPERVISOR, Role.ARCHIVE_STAFF, Role.CONTRACTOR):
            if role.value in names:
                return role
        return None

    def role_names(self) -> set[str]:
        """The user's role groups; a superuser (made by `createsuperuser`) acts as an administrator too."""
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
            if self.is_superuser:
                self._role_names.add(Role.ADMINISTRATOR.value)
        return self._role_names

    def has_role(self, *roles: Role) -> bool:
        return bool(self.role_names() & {role.value for role in roles})

    @property
    def sees_full_citizen_ids(self) -> bool:
        """Archive staff and administrators work with whole ID numbers; everyone else sees them masked."""
        return self.has_role(Role.ARCHIVE_STAFF, Role.ADMINISTRATOR)


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_object(self, obj: models.Model) -> AuditEventQuerySet:
        return self.filter(target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk))

    def of_images(self) -> AuditEventQuerySet:
        return self.filter(action__in=[AuditEvent.Action.VIEW_IMAGE, AuditEvent.Action.DOWNLOAD])


class AuditEvent(models.Model):
    """One thing somebody did. Append-only: nothing in the system updates or deletes these rows."""

    class Action(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOGOUT = "logout", _("Signed out")
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        VIEW_IMAGE = "view_image", _("Viewed an image")
        DOWNLOAD = "download", _("Downloaded")
        EXPORT = "export", _("Exported")
        IMPORT = "import", _("Imported")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    # Kept beside the foreign key so the record survives the user's deletion.
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("object type"), null=True, blank=True, on_delete=models.PROTECT
    )
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_repr = models.CharField(_("object"), max_length=255, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-at"], name="audit_target_idx"),
            models.Index(fields=["actor", "-at"], name="audit_actor_idx"),
            models.Index(fields=["action", "-at"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.target_repr}"
