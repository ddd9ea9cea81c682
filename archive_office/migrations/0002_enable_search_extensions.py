from django.contrib.postgres.operations import BtreeGinExtension, TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """Search indexes need pg_trgm (similarity on Chinese names) and btree_gin (mixed GIN indexes)."""

    dependencies = [("archive_office", "0001_initial")]

    operations = [TrigramExtension(), BtreeGinExtension()]
