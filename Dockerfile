# Alongside in production: gunicorn for the web, the same image for the Celery worker and beat.
FROM node:20-bookworm-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN useradd --create-home --uid 10001 alongside
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt
COPY --from=frontend /build/node_modules/nhsuk-frontend node_modules/nhsuk-frontend
COPY . .
# collectstatic needs settings to load; this key exists only during the build.
RUN SECRET_KEY=build-only-not-used-at-run-time python manage.py collectstatic --noinput
RUN mkdir -p /home/alongside/beat && chown alongside /home/alongside/beat
USER alongside
EXPOSE 8000
# No gunicorn access log: request lines carry calendar-feed and password-reset tokens in their paths. Alongside
# logs its own events without them (accounts/security_log.py).
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
