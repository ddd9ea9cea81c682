"""The navigation bar: one list, each entry shown to the users who hold its permission.

Entries of one menu (catalogue, digitization, inspection, storage, system) sit next to each other; the
base template shows a menu with one visible entry as a plain link and one with several as a dropdown.
"""

from dataclasses import dataclass
from itertools import groupby

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CATALOGUE = _("Catalogue")
DIGITIZATION = _("Digitization")
INSPECTION = _("Quality inspection")
STORAGE = _("Storage")
SYSTEM = _("System")


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str
    permission: str | None = None  # None: every signed-in user
    menu: str | Promise | None = None


NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "home", "house"),
    NavItem(_("Catalogue search"), "records:item_list", "search", "records.view_item", CATALOGUE),
    NavItem(_("New item"), "records:item_create", "plus-square", "records.add_item", CATALOGUE),
    NavItem(
        _("Data checks"), "records:issue_list", "clipboard-check", "records.view_catalogueissue", CATALOGUE
    ),
    NavItem(_("Volumes"), "records:volume_list", "journals", "records.view_volume", CATALOGUE),
    NavItem(
        _("Catalogue imports"),
        "records:import_list",
        "file-earmark-arrow-up",
        "records.add_importjob",
        CATALOGUE,
    ),
    NavItem(_("Batches"), "digitization:batch_list", "boxes", "digitization.view_batch", DIGITIZATION),
    NavItem(
        _("Doubtful pages"),
        "digitization:doubtful_queue",
        "question-circle",
        "digitization.confirm_page",
        DIGITIZATION,
    ),
    NavItem(
        _("Contract ledger"),
        "digitization:contract_ledger",
        "graph-up",
        "digitization.view_batch",
        DIGITIZATION,
    ),
    NavItem(_("Inspection"), "qc:sample_list", "clipboard2-check", "qc.view_sample", INSPECTION),
    NavItem(_("Quality dashboard"), "qc:dashboard", "bar-chart-line", "qc.view_dashboard", INSPECTION),
    NavItem(_("Boxes"), "storage:box_list", "box-seam", "storage.view_box", STORAGE),
    NavItem(_("Shelving"), "storage:shelve", "upc-scan", "storage.add_boxplacement", STORAGE),
    NavItem(_("Loans"), "storage:loan_list", "arrow-left-right", "storage.view_loan", STORAGE),
    NavItem(_("Lookups"), "storage:lookup_list", "binoculars", "storage.view_lookuprequest", STORAGE),
    NavItem(_("Backups"), "backups:copy_list", "hdd-stack", "backups.view_backupcopy", SYSTEM),
    NavItem(_("Audit log"), "audit_log", "journal-text", "archive_office.view_auditevent", SYSTEM),
    NavItem(_("Administration"), "admin:index", "gear", "archive_office.change_user", SYSTEM),
]


def items_for(user: object) -> list[NavItem]:
    return [item for item in NAVIGATION if item.permission is None or user.has_perm(item.permission)]  # type: ignore[attr-defined]


def menus_for(user: object) -> list[tuple[str | Promise | None, list[NavItem]]]:
    """The visible entries in menus, in NAVIGATION's order."""
    return [(menu, list(items)) for menu, items in groupby(items_for(user), key=lambda item: item.menu)]
