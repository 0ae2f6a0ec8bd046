# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# cairo and a Chinese font: the process map's PNG is its SVG drawn by cairosvg, Chinese
# column names included (metrics/process_map.py).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libcairo2 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Static files are collected into the image and served by WhiteNoise.
RUN DJANGO_SETTINGS_MODULE=opsboard.settings.production \
    DJANGO_SECRET_KEY=build-time-only-secret-used-to-collect-static-files-0123456789 \
    CELERY_BROKER_URL=redis://unused:6379/0 \
    SITE_URL=https://build.invalid \
    FIELD_ENCRYPTION_KEYS=YnVpbGQtdGltZS1vbmx5LWNvbGxlY3RzdGF0aWMtMDE= \
    python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 opsboard \
    && mkdir -p /app/var/media && chown -R opsboard /app/var

USER opsboard
EXPOSE 8000
CMD ["gunicorn", "opsboard.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
