"""Every page requires a signed-in user, and each role sees its own navigation only."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from archive_office.roles import Role

# The only views an anonymous visitor may reach: signing in, and the language switch on that page.
PUBLIC = {"login", "set_language", "admin:login"}


def _all_patterns(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _all_patterns(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", prefix + str(pattern.pattern)


def _example_path(route: str) -> str:
    """Turn a route or regex into a concrete path by filling every parameter with a plausible value."""
    import re

    path = re.sub(r"\(\?P<\w+>(\w+)\|[^)]*\)", r"\1", route)  # an alternation: take its first word
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    path = re.sub(r"<(?:int:)?\w*(?:pk|id)\w*>", "1", path)
    path = re.sub(r"<[^>]+>", "x", path)
    path = path.replace("\\.", ".")
    return "/" + path.replace("^", "").replace("$", "").replace("\\Z", "").lstrip("/")


ALL_ROUTES = sorted(set(_all_patterns(get_resolver())))


@pytest.mark.parametrize(("name", "route"), ALL_ROUTES)
def test_every_page_but_sign_in_requires_login(client, db, name, route):
    if name in PUBLIC:
        pytest.skip("public by design")
    response = client.get(_example_path(route))
    assert response.status_code == 302, (
        f"{name} ({route}) answered {response.status_code} to an anonymous visitor"
    )
    assert "login" in response["Location"]


def test_the_login_page_is_public_and_chinese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


CATALOGUE = {"records:item_list", "records:issue_list", "records:volume_list"}
BATCHES = {"digitization:batch_list", "digitization:contract_ledger"}
INSPECTION = {"qc:sample_list", "qc:dashboard"}
STORAGE = {"storage:box_list", "storage:shelve", "storage:loan_list", "storage:lookup_list"}
EXPECTED_NAV = {
    Role.ARCHIVE_STAFF: {
        "home",
        "records:item_create",
        *CATALOGUE,
        *BATCHES,
        "digitization:doubtful_queue",
        "qc:sample_list",
        *STORAGE,
        "backups:copy_list",
    },
    Role.CONTRACTOR: {
        "home",
        "records:item_list",
        *BATCHES,
        "qc:sample_list",
        "storage:box_list",
        "storage:shelve",
    },
    Role.SUPERVISOR: {"home", *CATALOGUE, *BATCHES, *INSPECTION, *STORAGE - {"storage:shelve"}},
    Role.ADMINISTRATOR: {
        "home",
        "records:item_create",
        *CATALOGUE,
        *BATCHES,
        *INSPECTION,
        *STORAGE,
        "records:import_list",
        "audit_log",
        "admin:index",
        "backups:copy_list",
    },
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_own_navigation_only(cast, role):
    from tests.conftest import signed_in

    response = signed_in(cast[role]).get(reverse("home"))
    shown = {item.url_name for item in response.context["nav_items"]}
    assert shown == EXPECTED_NAV[role]


@pytest.mark.parametrize("role", [Role.ARCHIVE_STAFF, Role.CONTRACTOR, Role.SUPERVISOR])
def test_only_administrators_reach_the_audit_log(cast, role):
    from tests.conftest import signed_in

    assert signed_in(cast[role]).get(reverse("audit_log")).status_code == 403
    assert signed_in(cast[role]).get(reverse("system_status")).status_code == 403


def test_a_user_without_a_role_is_told_to_ask_for_one(db):
    from tests.conftest import signed_in
    from tests.factories import make_user

    response = signed_in(make_user()).get(reverse("home"))
    assert response.status_code == 200
    assert "还没有角色" in response.content.decode()


def test_refusals_and_missing_pages_are_explained_in_chinese_with_the_navigation(contractor_client):
    refused = contractor_client.get(reverse("audit_log"))
    missing = contractor_client.get("/batches/999999/")

    assert (refused.status_code, missing.status_code) == (403, 404)
    for response, words in ((refused, "无权"), (missing, "找不到")):
        page = response.content.decode()
        assert words in page
        assert 'data-testid="main-nav"' in page
