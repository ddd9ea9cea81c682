import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive_office.settings")

app = Celery("archive_office")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
