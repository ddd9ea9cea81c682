"""The navigation bar: one list, each entry shown to the users who hold its permission."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str
    permission: str | None = None  # None: every signed-in user


NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "home", "house"),
    NavItem(_("Catalogue"), "records:item_list", "search", "records.view_item"),
    NavItem(_("New item"), "records:item_create", "plus-square", "records.add_item"),
    NavItem(_("Data checks"), "records:issue_list", "clipboard-check", "records.view_catalogueissue"),
    NavItem(_("Volumes"), "records:volume_list", "journals", "records.view_volume"),
    NavItem(_("Catalogue imports"), "records:import_list", "file-earmark-arrow-up", "records.add_importjob"),
    NavItem(_("Batches"), "digitization:batch_list", "boxes", "digitization.view_batch"),
    NavItem(
        _("Doubtful pages"), "digitization:doubtful_queue", "question-circle", "digitization.confirm_page"
    ),
    NavItem(_("Contract ledger"), "digitization:contract_ledger", "graph-up", "digitization.view_batch"),
    NavItem(_("Inspection"), "qc:sample_list", "clipboard2-check", "qc.view_sample"),
    NavItem(_("Quality dashboard"), "qc:dashboard", "bar-chart-line", "qc.view_dashboard"),
    NavItem(_("Boxes"), "storage:box_list", "box-seam", "storage.view_box"),
    NavItem(_("Shelving"), "storage:shelve", "upc-scan", "storage.add_boxplacement"),
    NavItem(_("Loans"), "storage:loan_list", "arrow-left-right", "storage.view_loan"),
    NavItem(_("Lookups"), "storage:lookup_list", "binoculars", "storage.view_lookuprequest"),
    NavItem(_("Audit log"), "audit_log", "journal-text", "archive_office.view_auditevent"),
    NavItem(_("Administration"), "admin:index", "gear", "archive_office.change_user"),
]


def items_for(user: object) -> list[NavItem]:
    return [item for item in NAVIGATION if item.permission is None or user.has_perm(item.permission)]  # type: ignore[attr-defined]
