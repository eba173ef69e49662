#!/usr/bin/env bash
# Back up everything a deployment holds into one new folder:
#   database.dump     PostgreSQL: pg_dump --format=custom (DATABASE_URL)
#   database.sqlite3  SQLite: the online backup API (a consistent copy while the server runs)
#   curation.json     the curators' work (manage.py export_curation), restorable on its own
#   MANIFEST          when, which backend, the archive version and the counts at backup
# The search index is not copied: scripts/restore.sh rebuilds it from the restored database
# (manage.py rank_index --rebuild), as a new application server does.
#
# usage: scripts/backup.sh [--dir DIR]      (default var/backups; prints the new folder)
# Environment as for the server: DATABASE_URL or SQLITE_PATH, PYTHON (default .venv/bin/python).
set -euo pipefail

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
dir="var/backups"
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "backup.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
[ -x "$python" ] || python="$(command -v python3)"
manage() { "$python" "$root/manage.py" "$@"; }

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$dir/$stamp"
mkdir -p "$out"

if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  pg_dump --format=custom --no-owner --file "$out/database.dump" "$DATABASE_URL"
  backend=postgresql
else
  sqlite="${SQLITE_PATH:-$root/var/cablearchive.sqlite3}"
  "$python" - "$sqlite" "$out/database.sqlite3" <<'PY'
import sqlite3, sys
source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)  # a consistent copy, pages copied while writers may go on
target.close()
source.close()
PY
  backend=sqlite
fi
manage export_curation "$out/curation.json" >/dev/null
{
  echo "created $stamp"
  echo "backend $backend"
  manage archive_counts
} > "$out/MANIFEST"
echo "$out"
