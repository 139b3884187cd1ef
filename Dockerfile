FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_PRODUCTION=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
# Production settings refuse to load without these; at build time nothing connects to them.
RUN export DJANGO_SECRET_KEY=build-only-not-secret-build-only-not-secret-build-only \
      DATABASE_URL=postgres://build@localhost/build CELERY_BROKER_URL=redis://localhost:6379/0 \
 && python manage.py compilemessages -v 0 \
 && python manage.py collectstatic --no-input -v 0
EXPOSE 8000
# gunicorn's worker count comes from WEB_CONCURRENCY (.env.example).
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "restaurant_ops.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
