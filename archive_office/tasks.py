from celery import shared_task

from .models import User


@shared_task
def ping() -> dict[str, object]:
    """Round trip through broker, worker, database and result backend, for health checks."""
    return {"pong": True, "users": User.objects.count()}
