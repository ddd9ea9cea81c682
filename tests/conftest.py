"""The shared cast: one user per role, and a client signed in as each."""

import pytest
from django.test import Client

from archive_office.roles import Role

from .factories import make_user


@pytest.fixture
def archivist(db):
    return make_user(role=Role.ARCHIVE_STAFF, username="archivist", full_name="李秀兰")


@pytest.fixture
def contractor(db):
    return make_user(role=Role.CONTRACTOR, username="contractor", full_name="张伟")


@pytest.fixture
def supervisor(db):
    return make_user(role=Role.SUPERVISOR, username="supervisor", full_name="陈静")


@pytest.fixture
def administrator(db):
    return make_user(role=Role.ADMINISTRATOR, username="admin", full_name="王建国")


@pytest.fixture
def cast(archivist, contractor, supervisor, administrator):
    return {
        Role.ARCHIVE_STAFF: archivist,
        Role.CONTRACTOR: contractor,
        Role.SUPERVISOR: supervisor,
        Role.ADMINISTRATOR: administrator,
    }


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def archivist_client(archivist):
    return signed_in(archivist)


@pytest.fixture
def contractor_client(contractor):
    return signed_in(contractor)


@pytest.fixture
def supervisor_client(supervisor):
    return signed_in(supervisor)


@pytest.fixture
def admin_client(administrator):
    return signed_in(administrator)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the office's language: a request that switched to English must not leak on."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path_factory):
    """No test writes originals or derivatives into the checkout's var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fresh_vocabulary_choices():
    """Flushing tests recreate vocabularies under new ids; cached dropdown choices must not outlive them."""
    from records.filters import forget_cached_choices

    forget_cached_choices()
