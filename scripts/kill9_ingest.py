#!/usr/bin/env python3
"""Kill -9 a normal ingest at random moments, run it again, and compare with a clean ingest.

    .venv/bin/python scripts/kill9_ingest.py          # 20 kill points, 4 per archive, SQLite
    .venv/bin/python scripts/kill9_ingest.py --kill-points 20 --kills-per-trial 1 \\
        --database-url postgres://postgres@127.0.0.1:5432/ca_kill9  # ... on PostgreSQL

Each trial starts from an empty archive holding the starter list of entities, starts
`manage.py ingest` on the bundled sample and sends it SIGKILL after a random delay within the
clean ingest's duration, up to --kills-per-trial times in a row (each run starts again on what
the killed one left, as an operator would), then runs the same ingest to the end and compares
the archive with the clean one, until --kill-points kills are done. Compared: cables,
paragraphs, TAGS links, references, sources, mentions, the review queue's names
(`cables.tooling.integrity.archive_rows`, keyed by reference IDs), and the search index: on
SQLite the FTS5 table must hold exactly the paragraphs it
should, token for token (`SearchBackend.index_problems`); on PostgreSQL the stored tsvector of
every paragraph is compared. The exit status is 1 if any trial differs.

SQLite runs use a scratch file in --workdir; PostgreSQL runs DROP and CREATE the database
named in --database-url (and `<name>_template`): never point it at an archive you keep.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_INPUTS = [
    "sample_corpus/mirror-pages",
    "sample_corpus/cablegate-html",
    "sample_corpus/cablegate-html-2011",
    "sample_corpus/cablegate-sample.csv.gz",
]
FIRST_KILL_AFTER = 0.3  # seconds: before this Django is still starting, nothing to interrupt


@dataclass
class Trial:
    """One archive: the ingest killed `len(kills)` times in a row, then run to the end."""

    number: int
    kills: list[dict] = field(default_factory=list)  # seconds after start, cables stored then
    rerun_status: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


class Scratch:
    """A scratch archive that can be reset to 'migrated, starter entities loaded' quickly."""

    def __init__(self, workdir: Path, database_url: str | None):
        self.workdir = workdir
        self.database_url = database_url

    @property
    def vendor(self) -> str:
        return "postgresql" if self.database_url else "sqlite"

    def env(self, *, template: bool = False) -> dict[str, str]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("DATABASE_URL", None)
        if self.database_url:
            env["DATABASE_URL"] = self._url(self._template_name if template else self._name)
            env["CONN_MAX_AGE"] = "0"
        else:
            env["SQLITE_PATH"] = str(self._template_file if template else self._file)
        return env

    # --- SQLite: a migrated file copied for each trial -----------------------------------
    @property
    def _file(self) -> Path:
        return self.workdir / "archive.sqlite3"

    @property
    def _template_file(self) -> Path:
        return self.workdir / "template.sqlite3"

    # --- PostgreSQL: CREATE DATABASE ... TEMPLATE ----------------------------------------
    @property
    def _name(self) -> str:
        return urlsplit(self.database_url).path.lstrip("/")

    @property
    def _template_name(self) -> str:
        return f"{self._name}_template"

    def _url(self, name: str) -> str:
        parts = urlsplit(self.database_url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def _admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self._url("postgres"), autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def prepare(self) -> None:
        if self.database_url:
            self._admin(
                f'DROP DATABASE IF EXISTS "{self._template_name}" WITH (FORCE)',
                f'CREATE DATABASE "{self._template_name}"',
            )
        else:
            for path in self.workdir.glob("template.sqlite3*"):
                path.unlink()
        for command in (["migrate", "-v0"], ["load_entities", "--no-tag"]):
            manage(command, self.env(template=True), check=True)

    def reset(self) -> None:
        if self.database_url:
            self._admin(
                f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)',
                f'CREATE DATABASE "{self._name}" TEMPLATE "{self._template_name}"',
            )
        else:
            for path in self.workdir.glob("archive.sqlite3*"):
                path.unlink()
            shutil.copyfile(self._template_file, self._file)

    def drop(self) -> None:
        if self.database_url:
            self._admin(
                f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)',
                f'DROP DATABASE IF EXISTS "{self._template_name}" WITH (FORCE)',
            )


def manage(args: list[str], env: dict, *, check: bool = False) -> int:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if check and done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.returncode


def ingest_command(inputs: list[str]) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), "ingest", *inputs, "--progress", "never"]


def archive_digest(env: dict) -> dict:
    """The archive's digest (`cables.tooling.integrity.archive_digest`), computed in a fresh process."""
    done = subprocess.run(
        [sys.executable, __file__, "--digest"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"digest failed:\n{done.stderr}")
    return json.loads(done.stdout)


def differences(expected: dict, actual: dict) -> list[str]:
    found = [
        f"{table}: {actual['tables'].get(table)} != clean {rows}"
        for table, rows in expected["tables"].items()
        if actual["tables"].get(table) != rows
    ]
    for table, state in actual["search_index"].items():
        if state["wrong"] or state["indexed"] != state["expected"]:
            found.append(f"search index {table}: {state}")
    return found


def run_trials(
    *,
    kill_points: int,
    kills_per_trial: int = 4,
    seed: int,
    workdir: Path,
    database_url: str | None = None,
    inputs: list[str] = SAMPLE_INPUTS,
    clean_file: Path | None = None,
    say=print,
) -> tuple[float, list[Trial]]:
    """The clean ingest's duration and trials until `kill_points` kills are done.

    Each trial starts from an empty archive and kills the ingest up to `kills_per_trial` times
    in a row (each run starts again on what the last one left); a run that ends before its
    kill has completed the archive and ends the series. Then the ingest is run to the end
    and the archive compared with the clean one. The clean ingest's figures are kept in
    `clean_file` when given, and read from it by the next run with the same inputs.
    """
    rng = random.Random(seed)
    scratch = Scratch(workdir, database_url)
    scratch.prepare()
    clean = clean_ingest(scratch, inputs, clean_file)
    clean_seconds, clean_status = clean["seconds"], clean["status"]
    say(
        f"clean ingest ({scratch.vendor}): {clean_seconds:.1f} s, "
        + ", ".join(f"{t} {v['rows']}" for t, v in clean["tables"].items())
    )
    problems = differences(clean, clean)
    if problems:
        raise SystemExit(f"the clean ingest's own search index is wrong: {problems}")
    done: list[Trial] = []
    while sum(len(trial.kills) for trial in done) < kill_points:
        scratch.reset()
        trial = Trial(len(done) + 1)
        status = None
        # A trial whose ingest ended before its kill leaves points to the next: never more.
        wanted = min(kills_per_trial, kill_points - sum(len(t.kills) for t in done))
        while len(trial.kills) < wanted:
            delay = rng.uniform(FIRST_KILL_AFTER, clean_seconds * 0.95)
            status = kill_ingest_after(delay, inputs, scratch.env())
            if status is not None:
                say(
                    f"  trial {trial.number}: the ingest ended (exit {status}) before {delay:.1f} s"
                )
                break
            trial.kills.append(
                {"after_seconds": round(delay, 2), "cables_stored": count_cables(scratch.env())}
            )
        if status is None:
            status = subprocess.run(
                ingest_command(inputs), env=scratch.env(), cwd=ROOT, capture_output=True
            ).returncode
        trial.rerun_status = status
        trial.differences = differences(clean, archive_digest(scratch.env()))
        if trial.rerun_status != clean_status:
            trial.differences.append(f"rerun exit {trial.rerun_status} != clean {clean_status}")
        points = ", ".join(
            f"{k['after_seconds']} s ({k['cables_stored']} cables)" for k in trial.kills
        )
        say(
            f"trial {trial.number}: SIGKILL at {points or 'no point'}; then exit "
            f"{trial.rerun_status}: "
            + ("same as clean" if trial.ok else "DIFFERS: " + "; ".join(trial.differences))
        )
        done.append(trial)
    scratch.drop()
    return clean_seconds, done


def clean_ingest(scratch: Scratch, inputs: list[str], clean_file: Path | None) -> dict:
    """The clean ingest's duration, exit status and digest (from `clean_file` if it has them
    for these inputs and this backend)."""
    if clean_file and clean_file.exists():
        kept = json.loads(clean_file.read_text())
        if kept.get("inputs") == inputs and kept.get("vendor") == scratch.vendor:
            return kept
    scratch.reset()
    began = time.monotonic()
    status = subprocess.run(
        ingest_command(inputs), env=scratch.env(), cwd=ROOT, capture_output=True
    ).returncode
    clean = {
        "inputs": inputs,
        "vendor": scratch.vendor,
        "seconds": time.monotonic() - began,
        "status": status,
        **archive_digest(scratch.env()),
    }
    if clean_file:
        clean_file.write_text(json.dumps(clean))
    return clean


def kill_ingest_after(delay: float, inputs: list[str], env: dict) -> int | None:
    """Start the ingest, SIGKILL it after `delay` seconds; its exit status if it had ended."""
    process = subprocess.Popen(
        ingest_command(inputs),
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        return process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return None


def count_cables(env: dict) -> int:
    done = subprocess.run(
        [sys.executable, __file__, "--count"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


def in_django(what: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cablearchive.settings")
    import django

    django.setup()
    from cables.models import Cable
    from cables.tooling.integrity import archive_digest as digest_here

    if what == "count":
        print(Cable.objects.count())
    else:
        print(json.dumps(digest_here()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kill-points", type=int, default=20, help="SIGKILLs in all (default 20).")
    parser.add_argument(
        "--kills-per-trial",
        type=int,
        default=4,
        help="Ingests killed in a row on one archive before it is completed (default 4).",
    )
    parser.add_argument(
        "--clean-json",
        type=Path,
        default=None,
        help="Keep the clean ingest's figures here; reused by a later run with the same inputs.",
    )
    parser.add_argument("--seed", type=int, default=1, help="Seed of the kill delays.")
    parser.add_argument(
        "--database-url",
        default=None,
        help="A PostgreSQL URL of a SCRATCH database (dropped and created); default SQLite.",
    )
    parser.add_argument(
        "--workdir", type=Path, default=None, help="Where the scratch SQLite files go."
    )
    parser.add_argument(
        "--inputs", nargs="+", default=SAMPLE_INPUTS, help="Ingest inputs (default the sample)."
    )
    parser.add_argument("--json", type=Path, default=None, help="Also write the trials here.")
    parser.add_argument("--digest", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--count", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.digest or args.count:
        in_django("count" if args.count else "digest")
        return 0
    with tempfile.TemporaryDirectory(prefix="kill9-") as scratch_dir:
        workdir = args.workdir or Path(scratch_dir)
        workdir.mkdir(parents=True, exist_ok=True)
        clean_seconds, trials = run_trials(
            kill_points=args.kill_points,
            kills_per_trial=args.kills_per_trial,
            clean_file=args.clean_json,
            seed=args.seed,
            workdir=workdir,
            database_url=args.database_url,
            inputs=args.inputs,
        )
    failed = [trial for trial in trials if not trial.ok]
    kills = sum(len(trial.kills) for trial in trials)
    print(
        f"{kills} kill -9 points in {len(trials)} trials: {len(trials) - len(failed)} archives "
        f"equal to the clean ingest, {len(failed)} differ (clean ingest {clean_seconds:.1f} s)"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"clean_seconds": clean_seconds, "trials": [asdict(t) for t in trials]}, indent=1
            )
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
