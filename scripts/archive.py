#!/usr/bin/env python3
"""Set up and run the cable archive, its tests or its benchmark, from a fresh clone.

    python3 scripts/archive.py run     # venv, install, migrate, ingest the sample, serve :8000
                                   # (run --reingest to ingest the sample again)
    python3 scripts/archive.py test    # venv, install, run the whole test suite
    python3 scripts/archive.py bench   # the search/ingest benchmark (see `manage.py bench -h`)

Only a Python 3.12+ interpreter is needed (Django 6 requires it). When this script is started
by an older python3, it looks for a newer one (python3.13, python3.12, pyenv versions).
Extra arguments after `test` go to pytest; after `bench`, to `manage.py bench`.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("CABLEARCHIVE_VENV", ROOT / ".venv"))
MIN_PYTHON = (3, 12)
SAMPLE_INPUTS = [
    "sample_corpus/mirror-pages",
    "sample_corpus/cablegate-html",
    "sample_corpus/cablegate-html-2011",
    "sample_corpus/cablegate-sample.csv.gz",
]
CHROMIUM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]


def say(message: str) -> None:
    print(f"[archive] {message}", flush=True)


def python_version_of(executable: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [executable, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout.split()
        return int(out[0]), int(out[1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


def find_python() -> str:
    if sys.version_info[:2] >= MIN_PYTHON:
        return sys.executable
    candidates = [shutil.which(name) for name in ("python3.14", "python3.13", "python3.12")]
    home = Path.home()
    candidates += sorted(
        glob.glob(str(home / ".pyenv/versions/3.1[2-9]*/bin/python3")), reverse=True
    )
    candidates += sorted(glob.glob("/usr/local/bin/python3.1[2-9]"), reverse=True)
    candidates += sorted(glob.glob("/usr/bin/python3.1[2-9]"), reverse=True)
    for candidate in filter(None, candidates):
        version = python_version_of(candidate)
        if version and version >= MIN_PYTHON:
            return candidate
    sys.exit(
        f"[archive] Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]}+ is needed (Django 6 requires it); "
        f"this is {sys.version.split()[0]} and no newer interpreter was found. "
        "Install python3.12 or newer and run this script with it."
    )


def venv_python() -> Path:
    return VENV / "bin" / "python"


def ensure_venv(requirements: str) -> Path:
    python = venv_python()
    version = python_version_of(str(python)) if python.exists() else None
    if version is None or version < MIN_PYTHON:
        base = find_python()
        say(f"creating virtualenv {VENV} with {base}")
        if VENV.exists():
            shutil.rmtree(VENV)
        subprocess.run([base, "-m", "venv", str(VENV)], check=True)
    stamp = VENV / f".installed-{requirements}"
    wanted = requirements_digest(ROOT / requirements)
    if not stamp.exists() or stamp.read_text() != wanted:
        say(f"installing {requirements}")
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "-q",
                "-r",
                str(ROOT / requirements),
            ],
            check=True,
        )
        stamp.write_text(wanted)
    return python


def requirements_digest(path: Path) -> str:
    digest = hashlib.sha256()
    for line in path.read_text().splitlines():
        digest.update(line.encode())
        if line.startswith("-r "):
            digest.update(requirements_digest(path.parent / line[3:].strip()).encode())
    return digest.hexdigest()


def manage(python: Path, *args: str, check: bool = True) -> int:
    return subprocess.run(
        [str(python), str(ROOT / "manage.py"), *args], cwd=ROOT, check=check
    ).returncode


def run(extra: list[str]) -> int:
    python = ensure_venv("requirements.txt")
    manage(python, "migrate", "--no-input", "-v", "0")
    # Fills definitions of TAGS an older archive stored bare; edited ones are kept.
    manage(python, "load_tag_definitions", check=False)
    if archive_is_empty(python) or "--reingest" in extra:
        say("ingesting the bundled sample corpus (a few minutes the first time)")
        # One bad record must not keep the server from starting: ingest reports it and goes on.
        manage(python, "ingest", *SAMPLE_INPUTS, check=False)
    else:
        say("the archive already holds cables; not re-ingesting (pass --reingest to refresh)")
    extra = [arg for arg in extra if arg != "--reingest"]
    if (ROOT / "cables/management/commands/load_entities.py").exists():
        manage(python, "load_entities", check=False)
    address = extra[0] if extra else "127.0.0.1:8000"
    say(f"serving the archive at http://{address}/")
    return manage(python, "runserver", address, check=False)


def archive_is_empty(python: Path) -> bool:
    code = "from cables.models import Cable; print(int(Cable.objects.exists()))"
    result = subprocess.run(
        [str(python), str(ROOT / "manage.py"), "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    # The last line is the answer, whatever the shell prints before it.
    return result.stdout.strip().splitlines()[-1:] != ["1"]


def chromium_path() -> str | None:
    for path in [os.environ.get("CHROMIUM_PATH", ""), *CHROMIUM_PATHS]:
        if path and Path(path).exists():
            return path
    return None


def test(extra: list[str]) -> int:
    python = ensure_venv("requirements-test.txt")
    env = dict(os.environ)
    args = [str(python), "-m", "pytest", *extra]
    chromium = chromium_path()
    if chromium:
        env["CHROMIUM_PATH"] = chromium
    elif env.get("REQUIRE_BROWSER") == "1":
        say("Chromium is required (REQUIRE_BROWSER=1) but not installed: apt-get install chromium")
        return 1
    else:
        say(
            "Chromium is not installed, so the browser tests will NOT run "
            "(install it with: apt-get install chromium). Running all the other tests."
        )
        args += ["-m", "not browser"]
    backend = "PostgreSQL" if env.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    say(f"running the test suite on {backend}")
    return subprocess.run(args, cwd=ROOT, env=env).returncode


def bench(extra: list[str]) -> int:
    python = ensure_venv("requirements-test.txt")
    manage(python, "migrate", "--no-input", "-v", "0")
    return manage(python, "bench", *extra, check=False)


def main() -> int:
    commands = {"run": run, "test": test, "bench": bench}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    try:
        return commands[sys.argv[1]](sys.argv[2:])
    except subprocess.CalledProcessError as error:
        say(f"failed: {' '.join(map(str, error.cmd))} (exit {error.returncode})")
        return error.returncode or 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
