#!/bin/sh
# First start: migrate, ingest the bundled sample corpus, load the starter entities.
# Later starts: the same commands find nothing to change (ingest is idempotent).
set -e
python manage.py migrate --no-input
python manage.py load_tag_definitions
python manage.py ingest --progress never sample_corpus/mirror-pages sample_corpus/cablegate-html \
  sample_corpus/cablegate-html-2011 sample_corpus/cablegate-sample.csv.gz || true
if [ -f cables/management/commands/load_entities.py ]; then python manage.py load_entities || true; fi
exec gunicorn cablearchive.wsgi:application --bind 0.0.0.0:8000 --workers "${WEB_CONCURRENCY:-3}" \
  --access-logfile - --timeout 60
