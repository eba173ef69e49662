"""The release's stations (`cables/data/stations.csv`, the one module that reads it).

`stations.csv` holds each station spelling of the release's reference IDs with its number of
cables (built by scripts/build_station_list.py). The REF parser turns a post as a REF line writes
it into a station (`canonical_station`); the release index files IDs under them (`load_stations`).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

STATIONS_FILE = Path(__file__).resolve().parent.parent / "data" / "stations.csv"
# Rule (station names of the release): written forms whose letters are not a station of
# `stations.csv` (built from every reference ID of the release by scripts/build_station_list.py).
STATION_ALIASES = {
    "SECSTATE": "STATE",
    "SECTATE": "STATE",  # 05SANJOSE2658, 07SANJOSE1963
    # Posts' own short names for themselves and their neighbours.
    "BA": "BUENOSAIRES",  # 06BUENOSAIRES1439
    "TGG": "TEGUCIGALPA",  # 08TEGUCIGALPA86
    "CASA": "CASABLANCA",  # 08CASABLANCA81
    "RIO": "RIODEJANEIRO",  # 09RIODEJANEIRO353
    "KL": "KUALALUMPUR",  # 10KUALALUMPUR12
    "DUBAIRPO": "RPODUBAI",  # 09RPODUBAI379
    "HCMC": "HOCHIMINHCITY",
    "VAT": "VATICAN",  # 05VATICAN514
    "BSAS": "BUENOSAIRES",  # 08BUENOSAIRES568
    "SECSTATEWASHDC": "STATE",
    "STATEWASHDC": "STATE",
    "UNVIE": "UNVIEVIENNA",
    "USUNVIE": "UNVIEVIENNA",
    "USUNVIEVIENNA": "UNVIEVIENNA",
    "USUN": "USUNNEWYORK",
    "USUNNY": "USUNNEWYORK",
    "USUNNEWYORKNY": "USUNNEWYORK",
    "USEU": "USEUBRUSSELS",
    "USNATOBRUSSELS": "USNATO",
    "USUNESCO": "UNESCOPARISFR",
    "USUNESCOPARIS": "UNESCOPARISFR",
    "USUNESCOPARISFR": "UNESCOPARISFR",
    "UNESCOPARIS": "UNESCOPARISFR",
    "UNESCO": "UNESCOPARISFR",
    "USOECD": "PARISFR",
    "USOECDPARIS": "PARISFR",
    "USOECDPARISFR": "PARISFR",
    "OECDPARIS": "PARISFR",
    "USUNROME": "UNROME",
    "USMISSIONUNROME": "UNROME",
    "AIT": "AITTAIPEI",
    "USCDGENEVA": "CDGENEVA",
    "USTR": "USTRGENEVA",
    "USOSCEVIENNA": "USOSCE",
    # Rule (abbreviated posts): `HK 5511` (Hong Kong); the Department of Commerce's and the
    # Secretary of Defense's own messages (`SECDEF 31828`, 07ABUDHABI1479), cables though none
    # of theirs is in the release.
    "HK": "HONGKONG",
    "USDOC": "USDOC",
    "SECDEF": "SECDEF",
}
# `EMBASSY VIENNA` is `VIENNA`: the sender's kind is no part of the station.
STATION_PREFIXES = (
    "AMEMBASSY",
    "AMCONSUL",
    "AMEMB",
    "EMBASSY",
    "CONSULATE",
    "USMISSION",
    "MISSION",
)
_stations: tuple[frozenset[str], dict[str, str]] | None = None


def station_tables() -> tuple[frozenset[str], dict[str, str]]:
    """The release's stations, and the unique prefixes (5 letters or more) of the busy ones:
    `RIODEJAN` (`08 RIO DE JAN 138`, a post name cut short) is `RIODEJANEIRO`."""
    global _stations
    if _stations is None:
        try:
            names = station_counts()
        except OSError:
            names = {}
        prefixes: dict[str, str] = {}
        for name, number in names.items():
            if number < 20:
                continue
            for size in range(5, len(name)):
                prefix = name[:size]
                prefixes[prefix] = "" if prefix in prefixes else name
        unique = {p: n for p, n in prefixes.items() if n and p not in names}
        _stations = (frozenset(names), unique)
    return _stations


@functools.lru_cache(maxsize=4096)
def canonical_station(written: str) -> str | None:
    """The release's station for a post as a REF line writes it, or None for no station.

    `Sao Paulo` -> `SAOPAULO`, `SECSTATE` -> `STATE`, `UNVIE` -> `UNVIEVIENNA`, `USUNESCO PARIS
    FR` -> `UNESCOPARISFR`, `EMBASSY VIENNA` -> `VIENNA`, `RIO DE JAN` -> `RIODEJANEIRO`;
    `IIR`, `FBIS`, `Resolution` -> None.
    """
    known, prefixes = station_tables()
    letters = re.sub(r"[^A-Z]", "", written.upper())
    for prefix in ("", *STATION_PREFIXES):
        if prefix and not letters.startswith(prefix):
            continue
        key = letters[len(prefix) :]
        if not key:
            continue
        if key in known:
            return key
        if key in STATION_ALIASES:
            return STATION_ALIASES[key]
        if key.endswith("CITY") and key[:-4] in known:
            return key[:-4]  # `GUATEMALA CITY`, `KUWAIT CITY`
        if key in prefixes:
            return prefixes[key]
    return None


def station_counts(path: Path = STATIONS_FILE) -> dict[str, int]:
    """station -> number of cables of the release, from `stations.csv` (OSError if unreadable)."""
    names: dict[str, int] = {}
    with open(path, encoding="utf-8") as rows:
        for row in rows:
            name, _, number = row.strip().partition(",")
            if number.isdigit():
                names[name] = int(number)
    return names


def load_stations(path: Path = STATIONS_FILE) -> frozenset[str]:
    """The release's stations (OSError if the file cannot be read)."""
    return frozenset(station_counts(path))
