"""Catalogue data rules: the checks one item must pass, run on every save and listed on the rules page.

Rules about a set (page ranges in a volume, one ID under two names, gaps in item numbers) are SQL in
`services.recheck_catalogue`; the ones here look at one item and its persons only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import dates, identifiers
from .models import CatalogueIssue

Rule = CatalogueIssue.Rule
Severity = CatalogueIssue.Severity

# DA/T 18: a title the cataloguer made up is written in [ ]; anything else bracket-like is a typing slip.
_MADE_UP_TITLE = re.compile(r"^\[[^\[\]]+\]$")
_STRAY_BRACKETS = re.compile(r"[\[\]【】［］]")


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    severity: str = Severity.ERROR


@dataclass(frozen=True)
class PersonEntry:
    name: str
    citizen_id: str


def title_findings(title: str) -> list[Finding]:
    if not title.strip():
        return [Finding(Rule.MISSING_FIELD, _("The title is required."))]
    if title != title.strip() or "  " in title or "\u3000" in title:
        return [Finding(Rule.TITLE, _("The title has padding or double spaces."))]
    if _STRAY_BRACKETS.search(title) and not _MADE_UP_TITLE.match(title):
        return [
            Finding(
                Rule.TITLE, _("A made-up title is written wholly inside [ ]; other brackets are not allowed.")
            )
        ]
    return []


def date_findings(value: str, label: str) -> list[Finding]:
    if not value:
        return []
    try:
        dates.parse_catalogue_date(value)
    except dates.DateError as error:
        return [Finding(Rule.DATE, f"{label}: {error}")]
    return []


def person_findings(persons: Iterable[PersonEntry]) -> list[Finding]:
    findings: list[Finding] = []
    for person in persons:
        if not person.name.strip():
            findings.append(Finding(Rule.MISSING_FIELD, _("A person has no name.")))
        if not person.citizen_id:
            continue
        try:
            checked = identifiers.check_citizen_id(person.citizen_id)
        except identifiers.IdentifierError as error:
            findings.append(Finding(Rule.CITIZEN_ID, f"{person.name}: {error}"))
            continue
        findings += [
            Finding(Rule.CITIZEN_ID, f"{person.name}: {w}", Severity.WARNING) for w in checked.warnings
        ]
    return findings


def employer_findings(code: str, name: str) -> list[Finding]:
    findings: list[Finding] = []
    if code:
        try:
            identifiers.check_employer_code(code)
        except identifiers.IdentifierError as error:
            findings.append(Finding(Rule.EMPLOYER_CODE, str(error)))
    if code and not name.strip():
        findings.append(Finding(Rule.MISSING_FIELD, _("An employer code needs the employer's name.")))
    return findings


def item_findings(
    *,
    title: str,
    creator: str,
    page_count: int | None,
    date: str,
    handled_on: str,
    employer_code: str,
    employer_name: str,
    persons: Iterable[PersonEntry],
) -> list[Finding]:
    findings = title_findings(title)
    if not creator.strip():
        findings.append(Finding(Rule.MISSING_FIELD, _("The creator is required.")))
    if not page_count or page_count <= 0:
        findings.append(Finding(Rule.MISSING_FIELD, _("The page count must be greater than 0.")))
    findings += date_findings(date, _("Date"))
    findings += date_findings(handled_on, _("Handling date"))
    findings += employer_findings(employer_code, employer_name)
    findings += person_findings(persons)
    return findings
