"""The signer at the end of a cable."""

from __future__ import annotations

import re

from ..text import is_noise_line
from ..text import is_word as is_prose_word
from .references import PAGE_HEADER_START

# --- signers -----------------------------------------------------------------------------------------

_SIGNER = re.compile(r"^[A-Z][A-Z'\-]+(?:[ /,][A-Z][A-Z'\-.]*){0,2}$")
_NOT_SIGNERS = {
    "END",
    "BT",
    "NNNN",
    "SIPDIS",
    "NOFORN",
    "UNQUOTE",
    "QUOTE",
    "END TEXT",
    "END QUOTE",
    "END CABLE",
    "CONFIDENTIAL",
    "SECRET",
    "UNCLASSIFIED",
    "SENSITIVE",
    "COMMENT",
    "END COMMENT",
    "SUMMARY",
    "NOTE",
    "END NOTE",
    "ENDNOTE",
    "EXDIS",
    "NODIS",
    "LIMDIS",
    "UNCLAS",
    "THE",
}


# `Swindells`, `McKinley`, `LeBaron`, `van Voorst`, `Hoagland-Smith`.
_TITLE_SIGNER = re.compile(
    r"^(?:(?:van|von|de|del|da|di|du|le|la) )?(?:Mc|Mac|Le|La|De|Di|O')?[A-Z][a-z]+"
    r"(?:[-'][A-Z]?[a-z]+)?(?: [A-Z][a-z]+){0,2}$"
)
# A name glued to the end of the last line: after a sentence (`... avoided. HUGGINS`), a URL or
# the redacted website line (`Website: XXXXXXXXXXXX**** ******** ERELI`, `.../manama/ HENZEL`).
_GLUED_SIGNER = re.compile(
    r"(?P<before>\S*)\s+"
    r"(?P<name>[A-Z]{3,}(?:[-/][A-Z]{3,})?|(?:Mc|Mac|Le|De|Di)?[A-Z][a-z]+(?:[A-Z][a-z]+)?)\s*$"
)
_SENTENCE_END = re.compile(r"""[.!?"')]$""")
_LINK_OR_STARS = re.compile(r"(?:\*|X{4,}|\S[/=]\S*|\S\.\w{2,}/?)$")
# `LONDON 00001442  004 OF 004` inside a line (09LONDON1442): a page break, no text.
_INLINE_PAGE_BREAK = re.compile(
    r"\b(?!X{4})[A-Z][A-Z]+(?: (?!X{4})[A-Z]+){0,3} \d{8}\s+\d{3}(?:\.\d)? OF \d{3}\b"
)


# Rule (signers): what may follow the signer at the end of a cable and is skipped to find it:
# `NNNN`, `End Cable Text` (07STATE135366), `=====CABLE ENDS=====` (06BOGOTA1302), a lone quote
# left by the CSV, rules and stars, page-break headers, and the review stamp of the 1970s cables
# (`Declassified/Released US Department of State EO` / `Systematic Review 05 JUL 2006`).
_AFTER_SIGNER = re.compile(
    r"^(?:N{3,4}|BT|\"+|\.|END CABLE TEXT|=*\s*CABLE ENDS\s*=*|<<\s*END OF DOCUMENT\s*>>|"
    r".*RELEASED US DEPARTMENT OF STATE\b.*|.*SYSTEMATIC REVIEW\b.*|\*+.*\*+|[#=\-_*~ ]+|ADP\s*\d*|QT|UNQT"
    # Rule (classification words are never signers): the page's classification line at the
    # foot (`SEMBLER` / `CONFIDENTIAL`, 02ROME1725; `LIMITED OFFICIAL USE`), and the mirror's
    # line after it (`> 2002ROME01725 - Classification: CONFIDENTIAL`).
    r"|(?-i:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)(?:\s*/+\s*NOFORN)?"
    r"|>|>?\s*\d{4}[A-Z]+\d+\s*-\s*Classification:.*)$",
    re.IGNORECASE,
)
# `CONFIDENTIAL PAGE 03 VATICA 01261 061419Z`: a page header under the classification word.
_CLASSIFIED_PAGE_HEADER = re.compile(
    r"^\s*(?:UNCLASSIFIED|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)\s+(?=PAGE\s+\d)"
)
_ESCAPED_LINE_END = re.compile(r"\s*\\v?\s*$")  # `BEYER \` (10BERN48): line ends escaped


def _ends_sentence(line: str) -> bool:
    """Whether a signer may follow this line: the end of a sentence, a rule, or (rule: signer
    after a table) a row of a table or list of years (`2008     45.2    51.0`)."""
    line = line.rstrip()
    if not line or line[-1] in ".!?\")':-" or bool(re.fullmatch(r"[-=_ ]+", line)):
        return True
    if _LINK_OR_STARS.search(line):
        return True  # `Please visit us at http://www.state.sgov.gov/p/wha/asuncion` (08ASUNCION358)
    return _is_table_row(line)


def _is_table_row(line: str) -> bool:
    """`Tourism             53.5`, `2008     45.2    51.0`: a number last, or columns."""
    line = line.strip()
    if line[-1:] in (".", "!", "?", '"', "'", ")"):
        return False
    return line[-1:].isdigit() or len(re.findall(r"\S {3,}\S", line)) >= 1


_NOT_IN_SIGNER = re.compile(r"\b(?:UNCLASSIFIED|CLASSIFIED|SECRET|CONFIDENTIAL|GUIDANCE|RU[A-Z]+/)")


def _signer_name(line: str) -> str | None:
    """The name on a signer line, upper case; repeated names and filler words dropped."""
    name = line.upper()
    if _NOT_IN_SIGNER.search(name):
        return None
    words = name.split()
    if "UNQUOTE" in words or name.startswith("MINIMIZE CONSIDERED"):
        words = words[-1:]
    if len(words) == 2 and words[0] == words[1]:
        words = words[:1]
    return " ".join(words) or None


def signers(lines: list[str]) -> tuple[list[str], list[str]]:
    """The signer name at the end of the cable, and the lines without it.

    Forms seen in the corpus: `MILAS` on its own line (before `NNNN`), `Swindells` in title case
    after the last sentence, `... could have been avoided. HUGGINS` glued to the last line,
    `SUSMAN.` with a full stop (09LONDON2131), `Huntsman` then `huntsman` (09BEIJING2964).
    Rule: the last name before `NNNN` or the end, past whatever may follow it (`_AFTER_SIGNER`).
    """
    skipped = 0
    last_lower = ""
    for index in range(len(lines) - 1, -1, -1):
        # A page-break header first (`PAGE 02 VATICA 00819 ...Z` then text, 02VATICAN819).
        line = _CLASSIFIED_PAGE_HEADER.sub("", _ESCAPED_LINE_END.sub("", lines[index]))
        line = PAGE_HEADER_START.sub("", line)
        line = _INLINE_PAGE_BREAK.sub(" ", line).strip().rstrip('"').strip()  # `PYATT "`
        if not line:
            continue
        skipped += 1
        if skipped > 12:
            break
        if "Missing Section" in line:
            return [], lines  # the end of the cable is missing: so is its signer
        if _AFTER_SIGNER.match(line) or line.endswith("...") or is_noise_line(line):
            continue
        if line.islower() and " " not in line and not last_lower:
            last_lower = line  # `huntsman` under `Huntsman`: a repeat of the name
            continue
        if last_lower and line.lower() != last_lower:
            return [], lines
        name_line = re.sub(r"(?<=[A-Za-z])\.{1,2}$", "", line)  # `SUSMAN.`, `HEARNE..`
        name_line = re.sub(r"\s+NNNN$", "", name_line)  # `RICE NNNN` (09STATE3691)
        before = next(
            (
                _ESCAPED_LINE_END.sub("", x)
                for x in reversed(lines[:index])
                if x.strip(" \\") and not is_noise_line(x)  # `BRASILIA 00002262  002 OF 002`
            ),
            "",
        )
        looks_signed = (
            _SIGNER.match(name_line)
            and name_line not in _NOT_SIGNERS
            and not name_line.startswith("END ")
            # `MILITARY OPTION.`: the end of a sentence in capitals, words of the prose.
            and not (line.endswith(".") and " " in name_line and _all_prose(name_line))
        ) or (
            _TITLE_SIGNER.match(name_line)
            and name_line.upper() not in _NOT_SIGNERS
            and (
                _ends_sentence(before)
                # Rule (old layouts): after a last paragraph in capitals with no full stop
                # (`IF QADHAFI PLAYS ALONG` / `Enders`), a name that is no word of the prose.
                or (before.strip().isupper() and not is_prose_word(name_line))
            )
            # After a table row, not the row's own label (`Tourism  53.5` / `Commercial`).
            and not (_is_table_row(before) and is_prose_word(name_line))
        )
        if looks_signed:
            name = _signer_name(name_line)
            return ([name], lines[:index]) if name else ([], lines)
        tail_at = max(0, len(line) - 120)  # the name is at the end: no scan of a long line
        glued = _GLUED_SIGNER.search(line, tail_at)
        if glued and _glued_name_ok(glued.group("before"), glued.group("name")):
            # The line as written, less the name (page-break text stays for the paragraphs).
            kept = lines[index][: lines[index].rfind(glued.group("name"))].rstrip()
            return [glued.group("name").upper()], [*lines[:index], kept]
        return [], lines
    return [], lines


def _glued_name_ok(before: str, name: str) -> bool:
    """A name glued to the end of the last line: after a sentence's end, or after a link or the
    redacted website line; not a marker word. A capitalised word of the prose counts only after
    a full stop (`... into Russian politics. Burns`)."""
    if name.upper() in _NOT_SIGNERS or before.upper() in ("END", "OF"):
        return False
    if _SENTENCE_END.search(before):
        return True
    if not _LINK_OR_STARS.search(before):
        return False
    # `LeBaron`, `McMullen`: a capital inside is a name's even when the word list has it.
    return (
        name.isupper() or bool(re.match(r"[A-Z][a-z]{1,2}[A-Z]", name)) or not is_prose_word(name)
    )


def _all_prose(words: str) -> bool:
    return all(is_prose_word(word) for word in words.split())
