import pytest

from backups.models import BackupCopy
from digitization import services, tasks
from tests.digitization.factories import make_batch, scan_jpeg


@pytest.fixture
def pages(contractor):
    """Three ingested and processed pages: originals and derivatives in the (temporary) media store."""
    batch = make_batch(contractor=contractor)
    result = []
    for seed in range(3):
        page = services.ingest_file(
            batch=batch,
            name=f"p{seed}.jpg",
            data=scan_jpeg(seed=seed, width=200, height=280),
            operator=contractor,
        ).page
        tasks.process_page(page.pk)
        page.refresh_from_db()
        result.append(page)
    return result


@pytest.fixture
def copy(db):
    return BackupCopy.objects.create(name="A", purpose=BackupCopy.Purpose.SEALED, medium="LTO-8")
