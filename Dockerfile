# The shop's image: web (uvicorn, ASGI: the live notifications stream), Celery worker and beat all run from it.

# Browser libraries from npm (package.json "dependencies": chart.js), without
# the test-only devDependencies; collectstatic below serves them from node_modules.
# The dashboard loads only chart.js's UMD build: the rest of its dist (ES
# modules, types, 20 MB once compressed by WhiteNoise) stays out of the image.
FROM node:22-slim AS npm
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
    && find node_modules/chart.js/dist -mindepth 1 ! -name 'chart.umd.min.js*' -delete

FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 1000 shop
WORKDIR /app

COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY --chown=shop:shop . .
COPY --from=npm --chown=shop:shop /app/node_modules node_modules
# collectstatic needs settings but no services: a throwaway key for the build.
RUN DEBUG=0 SECRET_KEY=build-only-not-secret-build-only-not-secret-build-only \
    STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media && chown -R shop:shop /app/var /app/staticfiles

USER shop
ENV STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/app/var/media
EXPOSE 8000
# ASGI, so that a page's live stream (/notifications/stream/) holds no
# worker; streams are closed after a few minutes and reconnect by themselves,
# so a shutdown waits for them only briefly.
CMD ["uvicorn", "shop.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--workers", "3", "--timeout-graceful-shutdown", "10"]
