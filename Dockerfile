# syntax=docker/dockerfile:1
#
# Tripartite: one image for the web server and the background-task worker.
#   web:    /app/docker/entrypoint-web.sh (default command: migrate, collectstatic, gunicorn)
#   worker: python manage.py db_worker
# Configuration comes from the environment at run time; see .env.example.

FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/media \
    STATIC_ROOT=/app/staticfiles

# Libraries WeasyPrint needs to render PDFs, plus a basic font family.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# pg_dump and pg_restore for `manage.py backup` and `restore`, from the PostgreSQL
# project's own repository: pg_dump refuses a server newer than itself, and Debian's is
# 15. Keep POSTGRES_CLIENT at the major version of the db service's image, or later.
ARG POSTGRES_CLIENT=16
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-common ca-certificates \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends "postgresql-client-${POSTGRES_CLIENT}" \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user owns only what the app must write: var/ and staticfiles/.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. The project
# declares no Python packages of its own: installing "." installs only its dependencies.
COPY pyproject.toml README.md ./
RUN pip install . \
    && rm -rf build ./*.egg-info

COPY . .

# Static files are collected at build time with throwaway settings (this key is
# used for this one command only and never reaches a running container). The web
# entrypoint collects again at start, which is quick when nothing has changed.
RUN mkdir -p /app/var/media /app/staticfiles \
    && DEBUG=false \
       SECRET_KEY=build-time-only-collectstatic-key-not-used-at-runtime-0123456789 \
       EMAIL_DELIVERY=console \
       python manage.py collectstatic --no-input \
    && chmod 0755 /app/docker/entrypoint-web.sh \
    && chown -R app:app /app/var /app/staticfiles

USER app

VOLUME ["/app/var"]

EXPOSE 8000

CMD ["/app/docker/entrypoint-web.sh"]
