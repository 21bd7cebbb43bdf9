# couchadmin: the dashboard alone; CouchDB runs elsewhere (see docker-compose.yml).
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
COPY requirements.txt .
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir -r requirements.txt
COPY manage.py ./
COPY couchadmin ./couchadmin
COPY browser ./browser
COPY templates ./templates
COPY static ./static
# collectstatic needs settings that load; this key exists only in this build step.
RUN SECRET_KEY=build-only-not-secret DEBUG=0 ALLOWED_HOSTS=localhost \
    /venv/bin/python manage.py collectstatic --noinput

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/venv/bin:$PATH \
    DEBUG=0 COUCHADMIN_VAR_DIR=/tmp/couchadmin PORT=8000
RUN useradd --system --uid 10001 --home-dir /app couchadmin
WORKDIR /app
COPY --from=build /venv /venv
COPY --from=build /app /app
USER couchadmin
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"
CMD ["sh", "-c", "exec gunicorn couchadmin.wsgi:application --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-3} --timeout 900 --access-logfile -"]
