"""The summary of a cable, with or without its markers."""

from __future__ import annotations

import re

# --- summary -----------------------------------------------------------------------------------------

# Rule (summary markers): `SUMMARY:`, `Summary.`, `Summary and comment:`, `SUMMARY AND
# INTRODUCTION:` (04BRASILIA2885), inside the first paragraph too (`1. (C) SUMMARY: ...`). Not the
# `End summary.` of a summary that had no start marker.
_SUMMARY_START = re.compile(
    r"(?<!END )(?<!END OF )(?<!End )(?<!end )(?<!End of )(?<!end of )"
    r"\b(?:EXECUTIVE\s+)?SUMMARY(?:\s*/\s*COMMENT|\s+(?:AND|&)\s+(?:COMMENT|INTRODUCTION|ACTION\s+REQUEST|"
    r"ACTION|RECOMMENDATIONS?|BACKGROUND|OVERVIEW))?\s*[:.\-]+\s*"
    # `------- SUMMARY ------- 1. (C) In a ...`: a heading in a cable whose newlines were lost.
    r"(?:(?<=[-=] )\s*¶?1\s*\.\s*(?:\([A-Z/]{1,6}\)\s*)?)?",
    re.IGNORECASE,
)
# The next numbered paragraph inside a text whose newlines were lost (`... 2. (C) ...`).
_INLINE_PARAGRAPH = re.compile(r"\s¶?\d{1,2}\s*\.\s*\((?:U|C|S|SBU|S/NF|C/NF|SBU/NF)\)")
_SUMMARY_END = re.compile(r"\(?\bEND\s+(?:OF\s+)?SUMMARY\b", re.IGNORECASE)
# Rule (summary heading): a `SUMMARY` heading line, alone or between dashes (`------- SUMMARY
# -------`, 08MOSCOW499; `SUMMARY` over a line of dashes, 00HARARE5461; `-------\nSummary\n----`,
# 08RIYADH868): the paragraph under it is the summary, up to `End summary` if there is one.
_SUMMARY_HEADING = re.compile(
    r"^[ \t]*(?:[-=_*]{2,}[ \t]*)?(?:EXECUTIVE\s+)?SUMMARY(?:\s*/\s*COMMENT|\s+(?:AND|&)\s+[A-Z]+(?:\s+[A-Z]+)?)?"
    r"[ \t:]*(?:[-=_*]{2,}[ \t]*)?\\?[ \t]*$",  # `\\`: a line end escaped in the CSV
    re.IGNORECASE | re.MULTILINE,
)
# A heading glued to the end of the paragraph before it (`... End summary. ------- NEW DRAFT SSL
# -------`): no part of that paragraph.
_GLUED_HEADING = re.compile(r"\s*(?:[-=_]{3,})\s*[^\n]{0,80}?\s*(?:[-=_]{3,})\s*$")


def summary(text: str, *, paragraph_lines: bool = False) -> str:
    """The text between `Summary:` and `End summary` (markers left out).

    Without an end marker, the rest of the paragraph: up to a blank line or the next numbered
    paragraph in cable text; up to the line's end when `paragraph_lines` (one paragraph a line,
    the parser's display text). A `SUMMARY` heading over the paragraph counts as its start.
    """
    start = _summary_start(text, 0, 8000)
    heading = _summary_heading_in_text(text)
    if heading is not None and (start is None or heading.start() <= start.start()):
        opening = _AFTER_HEADING.match(text, heading.end()).end()
        inline = _SUMMARY_START.match(text, opening)  # `SUMMARY` / `----` / `1. Summary: ...`
        begin = inline.end() if inline else opening
    elif start is not None:
        begin = start.end()
    else:
        return ""
    end = _summary_end(text, begin)
    if end < 0 or end > begin + 8000:
        # Rule (no end marker): the summary is the rest of its paragraph.
        if paragraph_lines:
            end = text.find("\n", begin)
            end = len(text) if end < 0 else end
        else:
            paragraph_end = _PARAGRAPH_END.search(text, begin)
            end = paragraph_end.start() if paragraph_end else len(text)
        inline = _INLINE_PARAGRAPH.search(text, begin, end)
        end = inline.start() if inline else end
    return _summary_text(text[begin:end])


# After a `SUMMARY` heading: its rules, blank lines, the paragraph number and marking.
_AFTER_HEADING = re.compile(
    r"(?:[ \t\\]*\n|[ \t]*[-=_*]{3,}[ \t\\]*(?:\n|$))*[ \t]*(?:¶?\d{1,2}\s*\.\s*)?"
    r"(?:\([A-Z/]{1,8}\)\s*)?"
)
_PARAGRAPH_END = re.compile(r"\n[ \t\\]*\n|\n[ \t]*¶?\d{1,2}\s*\.\s")


def _summary_heading_in_text(text: str) -> re.Match | None:
    """The first `SUMMARY` heading line (first 8,000 characters), or None."""
    if "summary" not in text[:8000].lower():
        return None
    return _SUMMARY_HEADING.search(text, 0, 8000)


def _summary_start(text: str, position: int, limit: int) -> re.Match | None:
    """The first summary start marker: each `summary` found in the lower-cased text is checked
    where it stands (faster than a case-insensitive scan of the whole text)."""
    lower = text[:limit].lower()
    found = lower.find("summary", position)
    while found >= 0:
        start = _SUMMARY_START.search(text, max(found - 10, 0), min(found + 90, limit))
        if start and start.start() <= found:
            return start
        found = lower.find("summary", found + 7)
    return None


def summary_of_paragraphs(texts: list[str], headings: list[str], before_first: str) -> str:
    """The summary of a cable split into paragraphs (their display texts and headings).

    `before_first` is the body text before the first paragraph, where a `SUMMARY` heading over
    paragraph 1 stands."""
    joined = "\n".join(texts)
    marked = summary(joined, paragraph_lines=True)
    heading_at = _summary_heading_index(texts, headings, before_first)
    if heading_at is None:
        return marked or _ended_paragraph(texts, before_first)
    start = sum(len(t) + 1 for t in texts[:heading_at])
    if marked and joined.find(marked[:40], start, start + 400) >= 0:
        return marked  # the paragraph under the heading opens with `Summary:` itself
    end = _summary_end(joined, start)
    if end < 0 or end > start + 8000:
        end = joined.find("\n", start)
        end = len(joined) if end < 0 else end
    return _summary_text(_SUMMARY_START.sub("", joined[start:end], count=1))


def _ended_paragraph(texts: list[str], before_first: str) -> str:
    """Rule (no start marker): the first paragraph is a summary only when it ends with `End
    summary` (05SANAA1352: `1. (S/NF) Ambassador met ... End Summary.`); so is the block before
    paragraph 1 that ends with it (72TEHRAN5055: `... END SUMMARY` then `1. IN WAKE OF`).
    Without the end marker a first paragraph is no summary."""
    end = _summary_end(before_first, 0)
    if end >= 0:
        blocks = re.split(r"\n[ \t\\]*\n", before_first[:end].rstrip())
        whole = len(blocks) > 1 or len(before_first) < 3000  # the block's start is in the text
        block = _without_opening(blocks[-1])
        if whole and not _HEADER_LINE.search(block):
            return _summary_text(block)
    for text in texts[:1]:
        end = _summary_end(text, 0)
        if end >= 0 and not text[end:].lower().split("summary", 1)[1].strip(" .)-\\"):
            return _summary_text(_without_opening(text[:end]))
    return ""


def _without_opening(block: str) -> str:
    """A paragraph without its number, marking and a start word (`1. (SBU/NF) Summary:`)."""
    start = _summary_start(block, 0, min(len(block), 400))
    return block[start.end() :] if start else _OPENING.sub("", block, count=1)


# `SUMMARY (U) Costa Rica's June 1 ...` (07SANJOSE1173): a start word the markers did not take.
# `Summay:`, `Summar` (09OSLO146, 10BRUSSELS23): a start word the markers do not take; a paragraph
# number and marking.
_OPENING = re.compile(
    r"^\s*(?:¶?\d{1,2}\s*\.\s*)?(?:\([A-Z/]{1,8}\)\s*)?"
    r"(?:(?:EXECUTIVE\s+)?(?:SUMMARY|SUMMAY|SUMMAR)\b[\s:.\-]*(?:\([A-Z/]{1,8}\)\s*)?)?",
    re.IGNORECASE,
)
# A block of the header, not of the text (TAGS, SUBJECT, the classification line).
_HEADER_LINE = re.compile(r"\b(?:TAGS|SUBJECT|E\.O\.|CLASSIFIED BY|REFS?:)", re.IGNORECASE)


def _summary_heading_index(texts: list[str], headings: list[str], before_first: str) -> int | None:
    """The paragraph under a `SUMMARY` heading (among the first six), or None."""
    opening = before_first[-300:]
    if texts and "summary" in opening.lower() and _SUMMARY_HEADING.search(opening):
        return 0
    for index in range(min(len(texts), 6)):
        if headings[index] and _SUMMARY_HEADING.match(headings[index].strip()):
            return index
        tail = texts[index][-120:]
        if index + 1 < len(texts) and "summary" in tail.lower():
            glued = _GLUED_HEADING.search(tail)
            if glued and _SUMMARY_HEADING.match(glued.group(0).strip()):
                return index + 1
    return None


def _summary_text(text: str) -> str:
    """A summary without its markers: no `End summary`, glued heading or outer punctuation."""
    if any(rule in text[-120:] for rule in ("---", "===", "___")):
        text = text[:-120] + _GLUED_HEADING.sub("", text[-120:])
    text = _LEADING_MARKING.sub("", text)
    # Rule: the summary keeps its final full stop (`... in the next few years.`).
    return " ".join(text.split()).lstrip(" .").rstrip(" ")


_LEADING_MARKING = re.compile(r"^\s*\((?:U|C|S|SBU|S/NF|C/NF|S//NF|C//NF|U/FOUO|LOU)\)\s*")


_END_BEFORE_SUMMARY = re.compile(r"\(?\bend\s+(?:of\s+)?$")


def _summary_end(text: str, position: int) -> int:
    """Where `End summary` (`(END SUMMARY`, `End of Summary`) starts after `position`, or -1.

    Finds `summary` in the lower-cased text and looks back for `end`: much faster than a
    case-insensitive expression over the whole text, with the same result as `_SUMMARY_END`.
    """
    lower = text.lower()
    found = lower.find("summary", position)
    while found >= 0:
        after = found + 7
        if after >= len(lower) or not (lower[after].isalnum() or lower[after] == "_"):
            end = _END_BEFORE_SUMMARY.search(lower, max(position, found - 40), found)
            if end:
                return end.start()
        found = lower.find("summary", found + 7)
    return -1
