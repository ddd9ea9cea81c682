import pytest
from django.template import Context, Template

from archive_office.lib.personal import mask_citizen_id
from archive_office.roles import Role
from tests.factories import make_user


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("610102199001011234", "6101**********1234"),
        ("11010519491231002X", "1101**********002X"),
        ("610102900101123", "6101*******1123"),
        ("12345678", "********"),
        ("", ""),
    ],
)
def test_it_masks_all_but_the_area_and_the_last_four(number, shown):
    assert mask_citizen_id(number) == shown


@pytest.mark.parametrize(
    ("role", "full"),
    [
        (Role.ARCHIVE_STAFF, True),
        (Role.ADMINISTRATOR, True),
        (Role.SUPERVISOR, False),
        (Role.CONTRACTOR, False),
    ],
)
def test_only_archive_staff_and_administrators_see_the_whole_number(db, role, full):
    user = make_user(role=role, username=f"u-{role}")
    rendered = Template("{% load personal %}{{ n|citizen_id_for:user }}").render(
        Context({"n": "610102199001011234", "user": user})
    )
    assert rendered == ("610102199001011234" if full else "6101**********1234")


def test_a_user_without_a_role_sees_the_number_masked(db):
    user = make_user(role=None, username="nobody")
    assert not user.sees_full_citizen_ids


def test_a_superuser_acts_as_an_administrator(db):
    from archive_office.models import User

    superuser = User.objects.create_superuser("root", password="x-long-password-1")
    assert superuser.role == Role.ADMINISTRATOR
    assert superuser.has_role(Role.ADMINISTRATOR)
    assert superuser.sees_full_citizen_ids
