FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# pg_dump and pg_restore for scripts/backup.sh and scripts/restore.sh (the server is PostgreSQL 15).
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
  && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --no-input -v 0
EXPOSE 8000
# Ready once a warmed-up worker answers /readyz (its database and rank index open).
HEALTHCHECK --interval=10s --timeout=6s --start-period=300s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=5)"]
ENTRYPOINT ["sh", "scripts/docker-entrypoint.sh"]
