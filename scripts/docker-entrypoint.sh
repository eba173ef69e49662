#!/bin/sh
# First start: migrate, ingest the bundled sample corpus, load the starter entities.
# Later starts: the same commands find nothing to change (ingest is idempotent; the sample's
# README and release index are skipped with a notice).
# gunicorn runs as the README's production command says (gunicorn.conf.py: threaded workers,
# each warmed up before it accepts; docker-compose.yml's healthcheck asks /readyz).
set -e
python manage.py migrate --no-input
python manage.py load_tag_definitions
python manage.py ingest --progress never sample_corpus/
python manage.py load_entities
exec gunicorn -c gunicorn.conf.py --bind 0.0.0.0:8000 --access-logfile -
