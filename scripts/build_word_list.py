"""Build `cables/data/prose_words.txt.gz`: the lower-case words of the sample corpus's cable bodies
that occur in at least three cables, one a line. The parser uses it to tell a word broken by a
line wrap (`majorit` / `y`) from two words (`follow` / `up`).

Usage: .venv/bin/python scripts/build_word_list.py [CSV]  (default: the bundled sample)
"""

from __future__ import annotations

import gzip
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cables.parsing import ParseFailure, iter_path  # noqa: E402

OUTPUT = ROOT / "cables" / "data" / "prose_words.txt.gz"
MIN_CABLES = 3  # a wrap fragment (`majorit`) is rare; a word is in many cables
WORD = re.compile(r"(?<![A-Za-z0-9'])[A-Za-z]+(?![A-Za-z0-9])")


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else ROOT / "sample_corpus" / "cablegate-sample.csv.gz"
    cables_with: Counter = Counter()
    for record in iter_path(source):
        if isinstance(record, ParseFailure):
            continue
        # Prose words only: all-capital header words and acronyms are left out.
        cables_with.update({w.lower() for w in WORD.findall(record.body) if not w.isupper()})
    words = sorted(w for w, n in cables_with.items() if n >= MIN_CABLES and len(w) > 1)
    # mtime=0: the same corpus always gives the same bytes.
    with gzip.GzipFile(OUTPUT, "wb", mtime=0) as out:
        out.write(("\n".join(words) + "\n").encode())
    print(f"{len(words)} words -> {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
