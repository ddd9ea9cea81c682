FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 LANG=C.UTF-8
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext fonts-wqy-zenhei \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Build-time only: translations compiled and static files collected with the manifest storage.
RUN SECRET_KEY=build-only python manage.py compilemessages --ignore=.venv -v 0 \
 && SECRET_KEY=build-only python manage.py collectstatic --noinput -v 0
RUN useradd --create-home archive && mkdir -p /data/media && chown archive /data/media
USER archive
ENV MEDIA_ROOT=/data/media STATIC_ROOT=/app/var/staticfiles
EXPOSE 8000
CMD ["gunicorn", "archive_office.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4"]
