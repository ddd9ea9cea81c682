"""Demo people and org units for `seed_demo`: one user per role, in a realistic district office."""

from django.contrib.auth.models import Group

from .models import OrgUnit, User
from .roles import Role

DEMO_PASSWORD = "archive2026"

# (user name, full name, role, street unit code)
DEMO_USERS = [
    ("admin", "王建国", Role.ADMINISTRATOR, "370102"),
    ("archivist", "李秀兰", Role.ARCHIVE_STAFF, "370102"),
    ("contractor", "张伟", Role.CONTRACTOR, "370102001"),
    ("supervisor", "陈静", Role.SUPERVISOR, "370102"),
]


def seed_org_units() -> None:
    city, _ = OrgUnit.objects.update_or_create(
        code="3701", defaults={"name": "济南市", "level": OrgUnit.Level.CITY, "parent": None}
    )
    district, _ = OrgUnit.objects.update_or_create(
        code="370102", defaults={"name": "历下区", "level": OrgUnit.Level.DISTRICT, "parent": city}
    )
    for code, name in [("370102001", "解放路街道"), ("370102002", "千佛山街道"), ("370102003", "趵突泉街道")]:
        OrgUnit.objects.update_or_create(
            code=code, defaults={"name": name, "level": OrgUnit.Level.STREET, "parent": district}
        )


def seed_users() -> list[tuple[str, str, Role]]:
    created = []
    for username, full_name, role, unit_code in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "org_unit": OrgUnit.objects.get(code=unit_code),
                "is_staff": role == Role.ADMINISTRATOR,
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.set([Group.objects.get(name=role.value)])
        created.append((username, full_name, role))
    return created


def seed() -> list[str]:
    seed_org_units()
    users = seed_users()
    return [f"{role.label}: {username} / {DEMO_PASSWORD} ({name})" for username, name, role in users]
