#!/usr/bin/env python3
"""The writers of the soak (scripts/soak.py): new cables ingested and curators confirming
mentions and merging entities, through the archive's own services, while the readers read.

    python scripts/soak_writer.py --seconds 600 --log var/soak-writes.jsonl [--every 2]
    python scripts/soak_writer.py --verify var/soak-writes.jsonl

Each write is logged (one JSON line) once its transaction has committed; `--verify` checks that
every logged write is in the archive (prints the counts as JSON, exit 1 if one is lost). The
archive is the one the environment names (DATABASE_URL or SQLITE_PATH), as for the server.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cablearchive.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import transaction  # noqa: E402

from cables.entities import curation  # noqa: E402
from cables.ingest.incremental import ingest_paths  # noqa: E402
from cables.models import Alias, Cable, Mention, MentionDecision, Person  # noqa: E402

PAGES = sorted((ROOT / "sample_corpus" / "cablegate-html").glob("*.html"))


def curator() -> User:
    user, _ = User.objects.get_or_create(
        username="soak-curator", defaults={"is_staff": True, "is_superuser": True}
    )
    return user


def ingest_new_cable(rng: random.Random, folder: Path, number: int) -> dict | None:
    """A real cablegate page under a reference ID the archive does not hold: a new cable."""
    page = rng.choice(PAGES)
    original = page.stem
    new_id = f"{original}{number:04d}"
    if Cable.objects.filter(reference_id=new_id).exists():
        return None
    path = folder / f"{new_id}.html"
    path.write_text(page.read_text(encoding="utf-8").replace(original, new_id), encoding="utf-8")
    summary = ingest_paths([path])
    path.unlink()
    if summary.created != 1:
        return None
    return {"kind": "ingest", "reference_id": new_id}


def confirm_mention(rng: random.Random) -> dict | None:
    suggested = Mention.objects.filter(status=Mention.Status.SUGGESTED)
    total = suggested.count()
    if not total:
        return None
    mention = suggested.order_by("pk")[rng.randrange(total)]
    status = rng.choice([Mention.Status.CONFIRMED, Mention.Status.REJECTED])
    mention = curation.decide(mention, status, user=curator())
    decision = MentionDecision.objects.filter(
        reference_id=mention.cable.reference_id,
        paragraph_number=mention.paragraph.number,
        start=mention.start,
        matched_text=mention.matched_text,
    ).first()
    return {"kind": "decide", "decision": decision.pk, "status": status}


def merge_entities(number: int) -> dict:
    with transaction.atomic():
        keep = Person.objects.create(name=f"Soak Survivor {number}", slug=f"soak-survivor-{number}")
        other = Person.objects.create(name=f"Soak Merged {number}", slug=f"soak-merged-{number}")
        Alias.objects.create(person=other, text=f"Soakmerged {number}")
    curation.merge_entities(keep, [other], user=curator())
    return {
        "kind": "merge",
        "keep": keep.slug,
        "merged": other.slug,
        "alias": f"Soakmerged {number}",
    }


def write(seconds: float, every: float, log: Path, seed: int) -> int:
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    number = int(time.time()) % 10_000
    written = 0
    with tempfile.TemporaryDirectory(prefix="soak-writes-") as folder, log.open("a") as out:
        while time.monotonic() < deadline:
            number += 1
            action = ("ingest", "decide", "decide", "merge")[written % 4]
            started = time.monotonic()
            if action == "ingest":
                done = ingest_new_cable(rng, Path(folder), number)
            elif action == "decide":
                done = confirm_mention(rng)
            else:
                done = merge_entities(number)
            if done:
                done["seconds"] = round(time.monotonic() - started, 3)
                out.write(json.dumps(done) + "\n")
                out.flush()
                written += 1
            time.sleep(max(0.0, every - (time.monotonic() - started)))
    return written


def verify(log: Path) -> int:
    writes = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    lost = []
    for entry in writes:
        if entry["kind"] == "ingest":
            ok = Cable.objects.filter(reference_id=entry["reference_id"]).exists()
        elif entry["kind"] == "decide":
            ok = MentionDecision.objects.filter(
                pk=entry["decision"], status=entry["status"]
            ).exists()
        else:
            ok = (
                not Person.objects.filter(slug=entry["merged"]).exists()
                and Alias.objects.filter(person__slug=entry["keep"], text=entry["alias"]).exists()
            )
        if not ok:
            lost.append(entry)
    kinds: dict[str, int] = {}
    for entry in writes:
        kinds[entry["kind"]] = kinds.get(entry["kind"], 0) + 1
    print(json.dumps({"writes": len(writes), "by_kind": kinds, "lost": lost}))
    return 1 if lost else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600, help="how long to write")
    parser.add_argument("--every", type=float, default=2.0, help="seconds between two writes")
    parser.add_argument("--log", type=Path, help="append each committed write here (JSON lines)")
    parser.add_argument("--verify", type=Path, help="check the writes logged in this file")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.verify:
        return verify(args.verify)
    if not args.log:
        parser.error("--log is needed to write")
    written = write(args.seconds, args.every, args.log, args.seed)
    print(json.dumps({"written": written}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
