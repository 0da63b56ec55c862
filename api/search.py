"""Address search of the map page: street + house number (+ box), tolerant of accents, case,
punctuation, "straat"/"str." variants and small typos.

:func:`build_address_index` turns the twin's dwellings into an :class:`AddressIndex` once per
workspace; :meth:`AddressIndex.search` answers one query in a few milliseconds.

Why no library: rapidfuzz (the usual choice) is not a dependency of wijkreno, and stdlib
``difflib`` compares one pair at a time in Python. A city has a few thousand street names, so
the edit distance of the query against *all* street names at once, as a Levenshtein dynamic
programme vectorised over streets with NumPy (one array operation per cell of the query x
street-name table), costs about a millisecond and needs nothing new.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from wijkreno.crs import require_lambert72
from wijkreno.errors import InputError

MAX_QUERY_CHARS = 120
"""Longest query accepted [characters]."""

# Abbreviations folded to the full word, applied to whole words and to word endings
# ("kerkstr." -> "kerkstraat"). Dutch street-name usage in Flanders.
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("str", "straat"),
    ("stwg", "steenweg"),
    ("stw", "steenweg"),
    ("ln", "laan"),
)
_WORDS: dict[str, str] = {"st": "sint", "o l v": "onze lieve vrouw", "olv": "onze lieve vrouw"}
_BOX_WORDS = ("bus", "bte", "b", "box")


def normalise_text(text: str) -> str:
    """Lower case, accents stripped, punctuation folded to single spaces.

    >>> normalise_text("Sint-Éloois  Plein.")
    'sint eloois plein'
    """
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return " ".join(text.split())


def street_key(street: str) -> str:
    """Comparison key of a street name: normalised, abbreviations expanded, no spaces.

    >>> street_key("Kerkstr.") == street_key("kerk straat") == street_key("Kérkstraat")
    True
    """
    words = normalise_text(street).split()
    out = []
    for word in words:
        word = _WORDS.get(word, word)
        for short, full in _SUFFIXES:
            if word.endswith(short) and not word.endswith(full):
                word = word[: -len(short)] + full
                break
        out.append(word)
    joined = " ".join(out)
    for short, full in _WORDS.items():
        if " " in short:
            joined = joined.replace(short, full)
    return joined.replace(" ", "")


@dataclass(frozen=True)
class ParsedQuery:
    """A query split into its parts (all normalised)."""

    street: str
    """Street key (see :func:`street_key`); empty when the query has no letters."""
    number: str
    """House number as typed (``"5"``, ``"12a"``), empty when absent."""
    box: str
    """Box number (``"2"`` of "bus 2" or "5/2"), empty when absent."""


def parse_query(query: str) -> ParsedQuery:
    """Split a query into street, house number and box.

    >>> parse_query("Kerkstr. 5 bus 2")
    ParsedQuery(street='kerkstraat', number='5', box='2')
    >>> parse_query("molenstraat 12A/3")
    ParsedQuery(street='molenstraat', number='12a', box='3')
    """
    text = str(query).strip()
    # "5/2" and "5 / 2" mean house 5, box 2: keep the slash as a box marker
    text = re.sub(r"(\d)\s*/\s*(\w)", r"\1 bus \2", text)
    words = normalise_text(text).split()
    first_num = next((i for i, w in enumerate(words) if w[0].isdigit()), None)
    if first_num is None:
        return ParsedQuery(street_key(" ".join(words)), "", "")
    street = street_key(" ".join(words[:first_num]))
    rest = words[first_num:]
    number, box = rest[0], ""
    tail = rest[1:]
    # "5 a" (letter as separate word) is house number 5a, not a box
    if tail and len(tail[0]) == 1 and tail[0].isalpha() and tail[0] not in _BOX_WORDS:
        number += tail.pop(0)
    if tail and tail[0].startswith("b") and tail[0][1:].isdigit():  # "5 b2"
        box = tail[0][1:]
    elif len(tail) >= 2 and tail[0] in _BOX_WORDS:  # "5 bus 2"
        box = tail[1]
    elif tail and tail[0][0].isdigit() and not (len(tail[0]) == 4 and tail[0].isdigit()):
        box = tail[0]  # "5 2" (a four-digit number is a postcode, not a box)
    return ParsedQuery(street, number, box)


def _codes(keys: list[str], width: int) -> np.ndarray:
    """Street keys as a (n, width) int32 array of code points, padded with -1."""
    out = np.full((len(keys), width), -1, dtype=np.int32)
    for i, key in enumerate(keys):  # once per street at index build, not per query
        cut = key[:width]
        out[i, : len(cut)] = np.frombuffer(cut.encode("utf-32-le"), dtype=np.int32)
    return out


def edit_distances(query: str, codes: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray,
                                                                                np.ndarray]:
    """Levenshtein distance of ``query`` to every street, and to every street's best prefix.

    Parameters
    ----------
    query : str
        Street key of the query.
    codes : numpy.ndarray
        ``(n, width)`` int32 code points of the street keys, padded with -1.
    lengths : numpy.ndarray
        Length of each street key (≤ width).

    Returns
    -------
    full, prefix : numpy.ndarray
        ``full[i]``: edits to turn the query into street ``i``; ``prefix[i]``: edits to turn
        the query into the closest *prefix* of street ``i`` (typing in progress, "kekrst").
    """
    n, width = codes.shape
    q = np.frombuffer(query.encode("utf-32-le"), dtype=np.int32)
    m = len(q)
    # prev[:, j] = distance of query[:i] to street[:j]; rows over the query, vectorised over
    # streets (axis 0). Classic Wagner-Fischer recurrence.
    # prev[:, j] = distance of query[:i] to street[:j]; rows over the query, vectorised over
    # streets (axis 0). Wagner-Fischer recurrence with adjacent transpositions (optimal string
    # alignment), since swapped letters are the commonest typing error.
    prev = np.broadcast_to(np.arange(width + 1, dtype=np.int32), (n, width + 1)).copy()
    prev2 = prev
    for i in range(1, m + 1):
        cur = np.empty_like(prev)
        cur[:, 0] = i
        best = np.minimum(prev[:, :-1] + (codes != q[i - 1]), prev[:, 1:] + 1)
        if i >= 2:
            swap = (codes[:, 1:] == q[i - 2]) & (codes[:, :-1] == q[i - 1])
            best[:, 1:] = np.where(swap, np.minimum(best[:, 1:], prev2[:, :-2] + 1), best[:, 1:])
        for j in range(1, width + 1):  # insertion depends on the cell to the left
            cur[:, j] = np.minimum(best[:, j - 1], cur[:, j - 1] + 1)
        prev2, prev = prev, cur
    rows = np.arange(n)
    full = prev[rows, lengths]
    # best prefix: min over street[:j] for j ≤ length (cells past the end are masked)
    masked = np.where(np.arange(width + 1)[None, :] <= lengths[:, None], prev, 1 << 20)
    prefix = masked.min(axis=1)
    return full, prefix


def _max_typos(length: int) -> int:
    """Typos tolerated for a query street key of this length [edits]."""
    return 0 if length < 4 else 1 if length < 8 else 2


@dataclass
class AddressIndex:
    """Searchable addresses of one workspace (see :func:`build_address_index`)."""

    frame: pd.DataFrame
    """One row per address: adres_id, label, lon, lat, street_id, number, number_int, box."""
    street_keys: list[str]
    codes: np.ndarray
    lengths: np.ndarray

    def __len__(self) -> int:
        return len(self.frame)

    def search(self, query: str, limit: int = 10) -> list[dict[str, object]]:
        """Suggestions for a query, best first.

        Ranking: street match first (exact, prefix, typo, typo in a prefix, inside the name;
        then fewer edits), then the house number (exact, with the box when given; number
        starting with what was typed; nearest number), then natural order.

        Parameters
        ----------
        query : str
            What the user typed, e.g. ``"kerkstrat 5"``, ``"Sint-Jansstr. 12 bus 3"``.
        limit : int
            Most suggestions returned (1–100).

        Returns
        -------
        list of dict
            ``{"adres_id", "label", "lon", "lat"}`` (lon/lat in EPSG:4326 [degree]).

        Raises
        ------
        InputError
            Empty query, a query without a street name, or one longer than
            :data:`MAX_QUERY_CHARS`.
        """
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            raise InputError(f"limit must be between 1 and 100, got {limit!r}.")
        if query is None or not str(query).strip():
            raise InputError("Lege zoekopdracht: typ een straatnaam en huisnummer, "
                             "bv. 'Kerkstraat 5'.")
        if len(str(query)) > MAX_QUERY_CHARS:
            raise InputError(f"Zoekopdracht te lang ({len(str(query))} tekens, max "
                             f"{MAX_QUERY_CHARS}); typ enkel straat en huisnummer.")
        parsed = parse_query(query)
        if not parsed.street:
            raise InputError(f"Geen straatnaam in {str(query)!r}: typ de straat en het "
                             "huisnummer, bv. 'Kerkstraat 5'.")
        if not self.street_keys:
            return []
        street_rank, street_edits = self._street_ranks(parsed.street)
        f = self.frame
        s_rank = street_rank[f["street_id"].to_numpy()]
        keep = s_rank < 9
        if not keep.any():
            return []
        sub = f[keep]
        s_rank = s_rank[keep]
        s_edit = street_edits[sub["street_id"].to_numpy()]
        number = sub["number"].to_numpy(dtype=str)
        if parsed.number:
            exact = number == parsed.number
            starts = np.char.startswith(number, parsed.number)
            n_rank = np.where(exact, 0, np.where(starts, 1, 2))
            digits = re.match(r"\d+", parsed.number)
            target = int(digits.group()) if digits else 0
            n_dist = np.abs(sub["number_int"].to_numpy() - target)
            box = sub["box"].to_numpy(dtype=str)
            b_rank = (np.where(box == parsed.box, 0, 1) if parsed.box
                      else np.where(box == "", 0, 1))
        else:
            n_rank = np.zeros(len(sub), dtype=int)
            n_dist = np.zeros(len(sub), dtype=int)  # then by street, then number
            b_rank = np.zeros(len(sub), dtype=int)
        street_ids = sub["street_id"].to_numpy()
        order = np.lexsort((sub["box_sort"].to_numpy(), sub["number"].to_numpy(),
                            sub["number_int"].to_numpy(), street_ids, n_dist, b_rank, n_rank,
                            s_edit, s_rank))
        top = sub.iloc[order[:limit]]
        return [{"adres_id": str(a), "label": str(lab), "lon": float(lo), "lat": float(la)}
                for a, lab, lo, la in zip(top["adres_id"], top["label"], top["lon"], top["lat"],
                                          strict=True)]

    def _street_ranks(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """Match class (0 exact … 4 inside the name, 9 no match) and edits of every street."""
        keys = np.array(self.street_keys, dtype=str)
        rank = np.full(len(keys), 9, dtype=int)
        edits = np.zeros(len(keys), dtype=int)
        inside = np.char.find(keys, key) > 0
        rank[inside] = 4
        allowed = _max_typos(len(key))
        if allowed:
            full, prefix = edit_distances(key, self.codes, self.lengths)
            typo_prefix = (prefix <= allowed) & (rank > 3)
            rank[typo_prefix], edits[typo_prefix] = 3, prefix[typo_prefix]
            typo = (full <= allowed) & (full <= prefix)
            rank[typo], edits[typo] = 2, full[typo]
        starts = np.char.startswith(keys, key)
        rank[starts], edits[starts] = 1, 0
        rank[keys == key] = 0
        return rank, edits


def _text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype="object")
    col = frame[column].astype("object")
    return col.where(col.notna(), "").astype(str).str.strip()


def build_address_index(dwellings: gpd.GeoDataFrame) -> AddressIndex:
    """Index the addresses of the twin's dwellings for :meth:`AddressIndex.search`.

    Parameters
    ----------
    dwellings : GeoDataFrame
        The twin's dwellings (points, EPSG:31370) with ``adres_id``, ``street``,
        ``house_number`` and optionally ``box_number`` and ``postcode``. Several dwellings with
        one ``adres_id`` give one entry; rows without a street or geometry are left out.

    Returns
    -------
    AddressIndex
        Labels like ``"Kerkstraat 5 bus 2, 2999"`` and lon/lat in EPSG:4326 [degree].
    """
    if not isinstance(dwellings, gpd.GeoDataFrame):
        raise InputError(f"build_address_index needs a GeoDataFrame, got "
                         f"{type(dwellings).__name__}.")
    require_lambert72(dwellings, "the dwellings")
    missing = [c for c in ("adres_id", "street", "house_number") if c not in dwellings.columns]
    if missing:
        raise InputError(f"the dwellings miss the columns {missing}; give the twin's "
                         "dwellings table (read_twin).")
    d = dwellings[dwellings["adres_id"].notna() & dwellings["street"].notna()
                  & ~(dwellings.geometry.isna() | dwellings.geometry.is_empty)]
    d = d.drop_duplicates("adres_id")
    street = _text_column(d, "street")
    number = _text_column(d, "house_number")
    box = _text_column(d, "box_number")
    postcode = _text_column(d, "postcode")
    label = street + " " + number
    label = label.where(box == "", label + " bus " + box)
    label = label.where(postcode == "", label + ", " + postcode)
    keys = street.map(street_key)
    uniq = sorted(set(keys))
    street_id = keys.map({k: i for i, k in enumerate(uniq)}).to_numpy(dtype=np.int64)
    number_norm = number.map(lambda s: normalise_text(s).replace(" ", ""))
    number_int = pd.to_numeric(number_norm.str.extract(r"^(\d+)")[0], errors="coerce")
    pts = d.geometry.to_crs(4326)
    frame = pd.DataFrame({
        "adres_id": d["adres_id"].astype(str).to_numpy(),
        "label": label.str.strip().to_numpy(),
        "lon": np.round(pts.x.to_numpy(), 6),
        "lat": np.round(pts.y.to_numpy(), 6),
        "street_id": street_id,
        "number": number_norm.to_numpy(dtype=str),
        "number_int": number_int.fillna(1 << 30).astype(np.int64).to_numpy(),
        "box": box.map(lambda s: normalise_text(s).replace(" ", "")).to_numpy(dtype=str),
    })
    box_int = pd.to_numeric(frame["box"].str.extract(r"^(\d+)")[0], errors="coerce")
    frame["box_sort"] = box_int.fillna(-1).astype(np.int64).to_numpy()
    lengths = np.array([len(k) for k in uniq], dtype=np.int64)
    width = int(lengths.max()) if len(uniq) else 1
    return AddressIndex(frame=frame.reset_index(drop=True), street_keys=uniq,
                        codes=_codes(uniq, width), lengths=np.minimum(lengths, width))


__all__ = ["MAX_QUERY_CHARS", "AddressIndex", "ParsedQuery", "build_address_index",
           "edit_distances", "normalise_text", "parse_query", "street_key"]
