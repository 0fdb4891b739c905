# Image of the shipyard example Django app (example/), built by the
# docker-publish action and by `make demo`.
#
#   docker build -t shipyard-example .
#   # without Docker Hub (see scripts/containers/base-image.sh):
#   podman build --build-arg BASE_IMAGE=localhost/shipyard/python-base:bookworm -t shipyard-example .
#
#   docker run -e SECRET_KEY=... -e ALLOWED_HOSTS=example.com -p 8000:8000 shipyard-example
#
# The base must provide python3 with the venv module (Docker Hub's python
# images and the local Debian base both do); builder and runtime use the
# same base, so the virtual environment's interpreter links stay valid.
ARG BASE_IMAGE=python:3.12-slim

# ---- builder: the app's runtime dependencies in /opt/venv -----------------
FROM ${BASE_IMAGE} AS builder
# Optional package index (a mirror or proxy); empty means pip's default.
ARG PIP_INDEX_URL=""
ARG PIP_TRUSTED_HOST=""
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python3 -m venv /opt/venv
COPY example/requirements.txt /tmp/requirements.txt
# Empty build args must not reach pip as empty settings. Behind a
# TLS-intercepting proxy, pass its CA bundle as a build secret (it is mounted
# for this step only, never stored in a layer):
#   --secret id=pip_cert,src=/path/to/ca-bundle.crt
RUN --mount=type=secret,id=pip_cert \
    [ -n "$PIP_INDEX_URL" ] || unset PIP_INDEX_URL; \
    [ -n "$PIP_TRUSTED_HOST" ] || unset PIP_TRUSTED_HOST; \
    if [ -s /run/secrets/pip_cert ]; then export PIP_CERT=/run/secrets/pip_cert; fi; \
    /opt/venv/bin/pip install --no-input -r /tmp/requirements.txt

# ---- runtime ---------------------------------------------------------------
FROM ${BASE_IMAGE}
ARG BASE_IMAGE
ARG VERSION=dev
ARG REVISION=""
LABEL org.opencontainers.image.title="shipyard-example" \
      org.opencontainers.image.description="Example Django application shipped by the shipyard actions" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="${BASE_IMAGE}"

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_ENV=production \
    SQLITE_PATH=/data/db.sqlite3 \
    PORT=8000

# A writable home: gunicorn puts its control socket in ~/.gunicorn.
RUN useradd --uid 10001 --user-group --create-home --shell /usr/sbin/nologin app \
 && mkdir -p /data \
 && chown app:app /data

COPY --from=builder /opt/venv /opt/venv
COPY scripts/containers/entrypoint.sh scripts/containers/healthcheck.py /usr/local/bin/
WORKDIR /app
COPY example/ /app/

# Static files are collected (hashed and pre-compressed) into the image; the
# settings need a SECRET_KEY in production mode, a throwaway one is enough.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v 0 \
 && python -m compileall -q /app

USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "/usr/local/bin/healthcheck.py"]
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
