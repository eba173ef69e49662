#!/usr/bin/env python3
"""Write cables/data/common_words.txt: words the cables use mostly in lower case.

    .venv/bin/python scripts/common_words.py [SQLITE_FILE]   # an archive holding the sample

A capitalised word that the cables mostly write in lower case ("Asks", "Issues", "District")
is a sentence or headline word, not a name: the review-queue suggestions drop names made of
them. Derived from the 4,533-cable sample rather than an English dictionary, so that surnames
that are also English words but are written capitalised in cables ("Brown", "Rice") stay names.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "cables" / "data" / "common_words.txt"
WORD = re.compile(r"(?<![\w'-])([A-Za-z][a-z]+)\b")
SENTENCE_START = re.compile(r"(?:[.!?:\"(]\s*|^)$")


def main() -> int:
    path = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "var" / "bench-tagging.sqlite3")
    lower: Counter = Counter()
    capitalised: Counter = Counter()
    with sqlite3.connect(path) as db:
        for (text,) in db.execute("SELECT text FROM cables_paragraph"):
            for match in WORD.finditer(text):
                word = match.group(1)
                if word[0].islower():
                    lower[word] += 1
                elif not SENTENCE_START.search(text[max(0, match.start() - 2) : match.start()]):
                    capitalised[word.lower()] += 1
    common = sorted(w for w, n in lower.items() if n >= 5 and n >= capitalised[w])
    OUT.write_text(
        "# Words the sample cables mostly write in lower case (scripts/common_words.py).\n"
        + "\n".join(common)
        + "\n",
        encoding="utf-8",
    )
    print(f"{len(common)} words written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
