import pytest
from django.urls import reverse

from archive_office.roles import Role
from tests.conftest import signed_in

HEADINGS = {
    Role.ARCHIVE_STAFF: "档案管理员",
    Role.CONTRACTOR: "数字化外包人员",
    Role.SUPERVISOR: "监督与质量检查",
    Role.ADMINISTRATOR: "系统管理",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_its_chinese_home_page(cast, role):
    response = signed_in(cast[role]).get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<h1 class="h3 mb-3">{HEADINGS[role]}</h1>' in html
    assert '<html lang="zh-hans">' in html


def test_home_rejects_post(archivist_client):
    assert archivist_client.post(reverse("home")).status_code == 405


def test_the_administrator_home_counts_users_by_role(cast, admin_client):
    response = admin_client.get(reverse("home"))
    counts = dict((role, n) for role, n in response.context["users_by_role"])
    assert counts == {role: 1 for role in Role}


def test_the_system_status_panel_reports_database_and_redis(admin_client):
    response = admin_client.get(reverse("system_status"))
    statuses = {str(s.name): s.ok for s in response.context["statuses"]}
    assert statuses["数据库"] is True
    assert statuses["Redis"] is True


def test_english_is_one_switch_away(archivist_client):
    archivist_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = archivist_client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html
    assert ">Archive staff</h1>" in html
