import pytest
from django.core.management import call_command

from archive_office.health import check_workers
from archive_office.models import OrgUnit, User
from archive_office.roles import Role
from archive_office.tasks import ping
from tests.workers import running_worker


def test_ping_reports_the_database_it_sees(archivist):
    assert ping() == {"pong": True, "users": 1}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_runs_through_a_real_worker_against_real_redis():
    User.objects.create_user(username="only-one", password="x")
    with running_worker():
        result = ping.delay().get(timeout=30)
        assert check_workers().ok
    assert result == {"pong": True, "users": 1}


def test_seed_demo_creates_one_user_per_role_and_is_idempotent(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    for role in Role:
        assert User.objects.with_role(role).count() == 1
    assert OrgUnit.objects.filter(level=OrgUnit.Level.STREET).count() == 3
    assert "archivist / archive2026" in capsys.readouterr().out


def test_check_health_fails_when_no_worker_answers(db, monkeypatch):
    from archive_office.health import app

    monkeypatch.setattr(app.control, "ping", lambda timeout: [])  # any worker on this Redis stays out of it
    with pytest.raises(SystemExit) as exit_:
        call_command("check_health", timeout=0.2)
    assert exit_.value.code == 1


def test_seed_demo_gives_a_catalogue_in_volumes_and_a_batch_with_real_scans(db, settings, tmp_path):
    from digitization.models import Batch, Page
    from records.models import Item, Volume

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    assert Item.objects.count() == 60
    assert Volume.objects.exists()
    batch = Batch.objects.get()
    assert batch.contractor.username == "contractor"
    assert Page.objects.filter(batch=batch).count() == batch.numberings.first().placement.volume.page_count
    call_command("seed_demo")
    assert Item.objects.count() == 60
    assert Batch.objects.count() == 1
