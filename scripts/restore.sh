#!/usr/bin/env bash
# Restore a deployment from a folder written by scripts/backup.sh, then check it.
#
#   scripts/restore.sh BACKUP
#       From the database copy: PostgreSQL pg_restore into DATABASE_URL (an existing, empty
#       or disposable database: its tables are replaced), or SQLite copied to SQLITE_PATH
#       (stop the server first); then migrate, rebuild the search index (rank_index --rebuild)
#       and compare every count with the backup's MANIFEST.
#   scripts/restore.sh --from-sources BACKUP PATH...
#       Without the database copy: a new archive from the cable sources (ingest --bulk PATH...,
#       e.g. sample_corpus/) and the curators' work (import_curation BACKUP/curation.json);
#       the counts of cables, paragraphs, entities, aliases, mentions and decisions are
#       compared with the MANIFEST (readers' collections live only in the database copy).
#
# Environment as for the server: DATABASE_URL or SQLITE_PATH, RANK_INDEX_DIR, PYTHON (default
# .venv/bin/python). Exits non-zero at the first step that fails (set -e).
set -euo pipefail

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
mode=copy
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  --from-sources) mode=sources; shift ;;
  "") usage >&2; exit 2 ;;
esac
backup="${1:?BACKUP folder missing}"; shift
[ -f "$backup/MANIFEST" ] || { echo "restore.sh: $backup/MANIFEST not found: not a backup folder" >&2; exit 2; }
if [ "$mode" = sources ] && [ $# -eq 0 ]; then
  echo "restore.sh: --from-sources needs the cable sources (PATH...)" >&2; exit 2
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
[ -x "$python" ] || python="$(command -v python3)"
manage() { "$python" "$root/manage.py" "$@"; }
step() { echo "restore: $*"; }

if [ "$mode" = copy ]; then
  if [[ "${DATABASE_URL:-}" == postgres* ]]; then
    [ -f "$backup/database.dump" ] || { echo "restore.sh: $backup/database.dump not found (a SQLite backup?)" >&2; exit 2; }
    step "pg_restore $backup/database.dump"
    pg_restore --clean --if-exists --no-owner --exit-on-error --dbname "$DATABASE_URL" "$backup/database.dump"
  else
    [ -f "$backup/database.sqlite3" ] || { echo "restore.sh: $backup/database.sqlite3 not found (a PostgreSQL backup?)" >&2; exit 2; }
    sqlite="${SQLITE_PATH:-$root/var/cablearchive.sqlite3}"
    step "copy $backup/database.sqlite3 to $sqlite"
    mkdir -p "$(dirname "$sqlite")"
    "$python" - "$backup/database.sqlite3" "$sqlite.restoring" <<'PY'
import sqlite3, sys
source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)
target.close()
source.close()
PY
    rm -f "$sqlite-wal" "$sqlite-shm"
    mv "$sqlite.restoring" "$sqlite"
  fi
  step "migrate"
  manage migrate --no-input -v 0
  step "rank_index --rebuild"
  manage rank_index --rebuild
  compared="archive_version|cables|paragraphs|people|parties|elections|aliases|mentions|decisions|collections|saved_paragraphs"
else
  step "migrate, TAGS definitions, starter list"
  manage migrate --no-input -v 0
  manage load_tag_definitions
  manage load_entities
  step "ingest --bulk $*"
  manage ingest --bulk --progress never "$@"
  step "import_curation $backup/curation.json"
  manage import_curation "$backup/curation.json"
  compared="cables|paragraphs|people|parties|elections|aliases|mentions|decisions"
fi

step "compare with $backup/MANIFEST"
expected="$(grep -E "^($compared) " "$backup/MANIFEST")"
found="$(manage archive_counts | grep -E "^($compared) ")"
if [ "$expected" != "$found" ]; then
  echo "restore.sh: the restored archive differs from the backup:" >&2
  diff <(echo "$expected") <(echo "$found") >&2 || true
  exit 1
fi
echo "$found" | sed 's/^/restore:   /'
step "done: the archive holds what the backup held"
