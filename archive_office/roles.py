"""The four roles of the office, kept as auth groups whose permissions this module owns.

Each app adds its permissions to ROLE_PERMISSIONS; `sync_role_groups` runs after every migrate, so a new
permission reaches its groups without a hand-written data migration.
"""

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ARCHIVE_STAFF = "archive_staff", _("Archive staff")
    CONTRACTOR = "contractor", _("Contractor")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Administrator")


_ADMIN_ONLY = [
    "archive_office.view_auditevent",
    "archive_office.view_user",
    "archive_office.add_user",
    "archive_office.change_user",
    "archive_office.view_orgunit",
    "archive_office.add_orgunit",
    "archive_office.change_orgunit",
    "archive_office.delete_orgunit",
    "auth.view_group",
]

_CATALOGUE_READ = [
    "records.view_item",
    "records.view_volume",
    "records.view_catalogueissue",
]
_CATALOGUE_EDIT = [
    *_CATALOGUE_READ,
    "records.add_item",
    "records.change_item",
    "records.delete_item",
    "records.add_volume",
    "records.change_volume",
]
_VOCABULARIES = [
    f"records.{action}_{model}"
    for model in (
        "fonds",
        "retentionperiod",
        "businesscategory",
        "businessitem",
        "classification",
        "openness",
        "cataloguesettings",
    )
    for action in ("view", "add", "change")
]

_DIGITIZATION_READ = ["digitization.view_batch", "digitization.view_page", "digitization.view_package"]
_DIGITIZATION_WORK = [
    *_DIGITIZATION_READ,
    "digitization.add_batch",
    "digitization.change_batch",
    "digitization.add_page",
    "digitization.change_page",
    "digitization.delete_page",
    "digitization.add_package",
]

# Importing the old Excel catalogues is the administrator's: it writes thousands of items at once.
_CATALOGUE_IMPORT = ["records.view_importjob", "records.add_importjob", "records.change_importjob"]

# Quality inspection: supervisors draw, inspect and decide; contractors read their own batches' verdicts
# and defect lists (SampleQuerySet.for_user); everyone else reads.
_QC_READ = ["qc.view_sample", "qc.view_sampleunit", "qc.view_inspection", "qc.view_defect", "qc.view_verdict"]
_QC_FIGURES = ["qc.view_dashboard", "qc.view_billing", "qc.view_qualitysettings"]
_QC_INSPECT = [
    *_QC_READ,
    *_QC_FIGURES,
    "qc.add_sample",
    "qc.add_inspection",
    "qc.change_inspection",
    "qc.add_defect",
    "qc.delete_defect",
    "qc.add_verdict",
]

# Storage: archive staff box, shelve, lend and log lookups; a contractor boxes and shelves only the volumes
# of its own batches (BoxQuerySet.for_user); supervisors read.
_STORAGE_READ = [
    "storage.view_box",
    "storage.view_remarkssheet",
    "storage.view_location",
    "storage.view_boxplacement",
    "storage.view_loan",
    "storage.view_lookuprequest",
]
_STORAGE_BOXING = [
    "storage.view_box",
    "storage.add_box",
    "storage.change_remarkssheet",
    "storage.view_location",
]
_STORAGE_WORK = [
    *_STORAGE_READ,
    *_STORAGE_BOXING,
    "storage.add_location",
    "storage.change_location",
    "storage.add_boxplacement",
    "storage.add_loan",
    "storage.change_loan",
    "storage.add_lookuprequest",
    "storage.change_lookuprequest",
]

# Backups: administrators register, write and verify the copies; archive staff read the register.
_BACKUPS_READ = ["backups.view_backupcopy", "backups.view_backuprun", "backups.view_fixitycheck"]
_BACKUPS_RUN = [
    *_BACKUPS_READ,
    "backups.add_backupcopy",
    "backups.change_backupcopy",
    "backups.add_backuprun",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ARCHIVE_STAFF: [
        *_CATALOGUE_EDIT,
        *_DIGITIZATION_READ,
        "digitization.confirm_page",
        *_QC_READ,
        *_STORAGE_WORK,
        *_BACKUPS_READ,
    ],
    # A contractor reads only the items and batches of its own (ItemQuerySet / BatchQuerySet.for_user).
    Role.CONTRACTOR: [
        "records.view_item",
        *_DIGITIZATION_WORK,
        "qc.view_sample",
        "qc.view_defect",
        "qc.view_verdict",
        *_STORAGE_BOXING,
        "storage.add_boxplacement",
    ],
    Role.SUPERVISOR: [*_CATALOGUE_READ, *_DIGITIZATION_READ, *_QC_INSPECT, *_STORAGE_READ],
    Role.ADMINISTRATOR: [
        *_ADMIN_ONLY,
        *_CATALOGUE_EDIT,
        *_VOCABULARIES,
        *_CATALOGUE_IMPORT,
        *_DIGITIZATION_READ,
        "digitization.view_scoperule",
        "digitization.change_scoperule",
        "digitization.view_imagingsettings",
        "digitization.change_imagingsettings",
        *_QC_READ,
        *_QC_FIGURES,
        "qc.change_qualitysettings",
        *_STORAGE_WORK,
        "storage.delete_location",
        *_BACKUPS_RUN,
    ],
}


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def sync_role_groups() -> None:
    """Create the role groups and give each exactly the permissions listed for it."""
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set([_permission(p) for p in ROLE_PERMISSIONS[role]])


def sync_after_migrate(*, app_config: object, **kwargs: object) -> None:
    # post_migrate fires once per app, and permissions are created app by app: wait for the last one.
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if app_config is with_models[-1]:
        sync_role_groups()
