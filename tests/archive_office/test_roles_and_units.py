import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from archive_office.models import OrgUnit
from archive_office.roles import ROLE_PERMISSIONS, Role, sync_role_groups
from tests.factories import make_org_unit, make_user


def _perms(group: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def test_migrate_creates_one_group_per_role_with_exactly_its_permissions(db):
    for role in Role:
        assert _perms(Group.objects.get(name=role.value)) == set(ROLE_PERMISSIONS[role])


def test_syncing_the_roles_again_removes_a_permission_added_by_hand(db):
    group = Group.objects.get(name=Role.CONTRACTOR)
    group.permissions.add(Group.objects.get(name=Role.ADMINISTRATOR).permissions.first())
    sync_role_groups()
    assert _perms(group) == set(ROLE_PERMISSIONS[Role.CONTRACTOR])


def test_a_user_with_two_roles_acts_as_the_more_powerful(db):
    user = make_user(role=Role.CONTRACTOR)
    user.groups.add(Group.objects.get(name=Role.SUPERVISOR))
    assert user.role == Role.SUPERVISOR
    assert user.has_role(Role.CONTRACTOR)


def test_org_units_form_a_city_district_street_tree(db):
    city = make_org_unit(name="济南市")
    district = make_org_unit(name="历下区", level=OrgUnit.Level.DISTRICT, parent=city)
    street = make_org_unit(name="解放路街道", level=OrgUnit.Level.STREET, parent=district)
    assert street.path() == [city, district, street]


def test_a_street_directly_under_a_city_is_refused(db):
    city = make_org_unit()
    street = OrgUnit(name="某街道", code="X1", level=OrgUnit.Level.STREET, parent=city)
    with pytest.raises(ValidationError) as error:
        street.full_clean()
    assert "parent" in error.value.message_dict


def test_the_database_refuses_a_district_without_a_parent(db):
    with pytest.raises(IntegrityError):
        OrgUnit.objects.create(name="孤立区", code="X2", level=OrgUnit.Level.DISTRICT)
