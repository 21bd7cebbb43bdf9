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
# /healthz answers 503 within 2 s (HEALTHZ_TIMEOUT, 1.5 s) when CouchDB hangs, so this fails by reading 503.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"
# Threaded workers: a page mostly waits on CouchDB, so each process serves WEB_THREADS requests at once and
# a slow download or a hung CouchDB holds one thread, not a whole worker. WEB_CONCURRENCY processes (default
# two per core) use the cores. With gthread, --timeout only restarts a worker whose main loop is stuck:
# long transfers run in threads and keep their own read timeouts (bench/common.py reads this line to start gunicorn for bench/load.py and bench/fcp.py).
CMD ["sh", "-c", "exec gunicorn couchadmin.wsgi:application --bind 0.0.0.0:${PORT} --worker-class gthread --workers ${WEB_CONCURRENCY:-$((2 * $(nproc)))} --threads ${WEB_THREADS:-8} --timeout 120 --graceful-timeout 30 --keep-alive 5 --access-logfile -"]
