"""Factory functions for tests: keyword-only arguments, sensible defaults, real rows in the database."""

from itertools import count

from django.contrib.auth.models import Group

from archive_office.models import OrgUnit, User
from archive_office.roles import Role

_serial = count(1)
TEST_PASSWORD = "test-password-1"


def make_org_unit(
    *, name: str = "", level: str = OrgUnit.Level.CITY, parent: OrgUnit | None = None
) -> OrgUnit:
    n = next(_serial)
    return OrgUnit.objects.create(name=name or f"单位{n}", code=f"U{n:05d}", level=level, parent=parent)


def make_user(*, role: Role | None = None, username: str = "", full_name: str = "", **fields: object) -> User:
    n = next(_serial)
    user = User.objects.create_user(
        username=username or f"user{n}",
        password=TEST_PASSWORD,
        full_name=full_name or f"测试用户{n}",
        is_staff=role == Role.ADMINISTRATOR,
        **fields,
    )
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    return user
