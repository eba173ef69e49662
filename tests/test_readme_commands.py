"""Every command line the README (and docs/reliability.md) shows exists and takes the options
shown: each `manage.py` command's parser, each `scripts/` program run with `--help`, and every
`--option` of the line found in that help."""

import re
import subprocess
import sys

import pytest
from django.core.management import get_commands, load_command_class

from .conftest import ROOT

DOCUMENTS = [ROOT / "README.md", ROOT / "docs" / "reliability.md"]
MANAGE = re.compile(r"manage\.py\s+([a-z_]+)([^`\n]*)")
SCRIPT = re.compile(r"scripts/([a-z0-9_]+\.(?:py|sh))([^`\n]*)")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")
SUBCOMMAND = re.compile(r"^\s+([a-z]+)\b(?![./])")
FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.M | re.S)
SPAN = re.compile(r"`([^`\n]+)`")


def command_texts(text: str) -> list[str]:
    """The README's code: each line of a fenced or indented block (continuations joined,
    comments cut) and each inline code span."""
    texts = []
    for block in FENCE.findall(text):
        for line in block.replace("\\\n", " ").splitlines():
            texts.append(line.split(" #", 1)[0])
    prose = FENCE.sub("", text)
    # Indented code blocks (four spaces).
    texts += [line.split(" #", 1)[0] for line in prose.splitlines() if line.startswith("    ")]
    texts += SPAN.findall(prose)
    return texts


def shown_commands() -> dict[tuple[str, str], set[str]]:
    """(kind, name) of every command shown -> the options shown with it."""
    shown: dict[tuple[str, str], set[str]] = {}
    for document in DOCUMENTS:
        for text in command_texts(document.read_text(encoding="utf-8")):
            for pattern, kind in [(MANAGE, "manage.py"), (SCRIPT, "scripts")]:
                for name, rest in pattern.findall(text):
                    # Another command on the same line (`cmd1 ... ; cmd2 ...`) is its own.
                    rest = re.split(r"manage\.py|scripts/|[;|&]", rest)[0]
                    words = OPTION.findall(rest)
                    if kind == "scripts":  # `archive.py run`: the subcommand must exist too
                        words += SUBCOMMAND.findall(rest)
                    shown.setdefault((kind, name), set()).update(words)
    return shown


SHOWN = shown_commands()


def test_the_readme_shows_the_commands_this_test_checks():
    names = {name for _, name in SHOWN}
    assert {"ingest", "export_curation", "rank_index", "kill9_ingest.py", "soak.py"} <= names
    assert {"backup.sh", "restore.sh"} <= names


@pytest.mark.parametrize(
    "name",
    sorted(name for kind, name in SHOWN if kind == "manage.py"),
)
def test_each_manage_py_command_exists_and_takes_the_options_shown(name):
    commands = get_commands()
    assert name in commands, f"README shows `manage.py {name}`, which does not exist"
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    help_text = parser.format_help()
    missing = sorted(o for o in SHOWN[("manage.py", name)] if o not in help_text)
    assert not missing, f"`manage.py {name}` does not take {missing}"


@pytest.mark.parametrize("name", sorted(name for kind, name in SHOWN if kind == "scripts"))
def test_each_script_runs_with_help_and_takes_the_options_shown(name):
    path = ROOT / "scripts" / name
    assert path.exists(), f"README shows scripts/{name}, which does not exist"
    program = [sys.executable] if name.endswith(".py") else ["bash"]
    result = subprocess.run(
        [*program, str(path), "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    help_text = result.stdout + result.stderr
    # archive.py prints its usage for an unknown subcommand (exit 2); the others exit 0.
    assert result.returncode in (0, 2) and help_text.strip(), help_text
    assert "Traceback" not in help_text, help_text
    missing = sorted(o for o in SHOWN[("scripts", name)] if o not in help_text)
    assert not missing, f"scripts/{name} does not take {missing}"
