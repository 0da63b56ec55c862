"""Address search over the twin's dwellings: street + house number (+ box), tolerant of accents,
case, punctuation, "straat"/"str." variants, small typos and the word order people type.

One matching core serves two callers:

- the map's search box (:meth:`AddressIndex.lookup`, :meth:`AddressIndex.search`): suggestions
  best first, each with its municipality's name, and an honest message when the house number or
  box does not exist ("Kerkstraat heeft geen nummer 500; dichtstbij: 48, 50");
- the register's import by address (:meth:`AddressIndex.resolve`): one row's street, number,
  box and postcode to one address, to one apartment building (the address without box of a
  building with several units), or to a refusal with the candidates.

:func:`build_address_index` turns the twin's dwellings into an :class:`AddressIndex` once per
workspace (vectorised: the text work runs once per distinct street and number, not per
address); a query then takes a few milliseconds.

Why no library: rapidfuzz (the usual choice) is not a dependency of wijkreno, and stdlib
``difflib`` compares one pair at a time in Python. A city has a few thousand street names, so
the edit distance of the query against *all* street names at once, as a Levenshtein dynamic
programme vectorised over streets with NumPy (one array operation per cell of the query x
street-name table), costs about a millisecond and needs nothing new.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from wijkreno.crs import require_lambert72
from wijkreno.errors import InputError

MAX_QUERY_CHARS = 120
"""Longest query accepted [characters]."""
MAX_NEAREST = 5
"""Nearest existing numbers (or boxes) named when the one asked for does not exist."""
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
    postcode: str = ""
    """Four-digit postcode typed after the number (``"kerkstraat 5, 2387"``), else empty."""
    place: str = ""
    """Municipality or deelgemeente typed after the number or postcode (normalised, no
    spaces: ``"baarlehertog"``), else empty."""


def _number_and_box(words: list[str]) -> tuple[str, str, list[str]]:
    """House number and box from words that start with the house number; the words left."""
    number, tail = words[0], list(words[1:])
    box = ""
    # "5 a" (letter as separate word) is house number 5a, not a box
    if tail and len(tail[0]) == 1 and tail[0].isalpha() and tail[0] not in _BOX_WORDS:
        number += tail.pop(0)
    if tail and tail[0].startswith("b") and tail[0][1:].isdigit():  # "5 b2"
        box = tail.pop(0)[1:]
    elif len(tail) >= 2 and tail[0] in _BOX_WORDS and (tail[1][0].isdigit()
                                                       or len(tail[1]) <= 2):  # "5 bus 2"
        box, tail = tail[1], tail[2:]
    elif tail and tail[0][0].isdigit() and not (len(tail[0]) == 4 and tail[0].isdigit()):
        box = tail.pop(0)  # "5 2" (a four-digit number is a postcode, not a box)
    return number, box, tail


def _postcode_and_place(words: list[str]) -> tuple[str, str]:
    """A four-digit postcode and the place name among the words after number and box."""
    postcode = next((w for w in words if len(w) == 4 and w.isdigit()), "")
    place = "".join(w for w in words if not w[0].isdigit())
    return postcode, place


def parse_query(query: str) -> ParsedQuery:
    """Split a query into street, house number, box, postcode and place.

    The number may come first, as on an envelope in some habits ("5 kerkstraat"); a postcode
    and a municipality may follow the number ("kerkstraat 5, 2387 Baarle-Hertog").

    >>> parse_query("Kerkstr. 5 bus 2")
    ParsedQuery(street='kerkstraat', number='5', box='2', postcode='', place='')
    >>> parse_query("molenstraat 12A/3")
    ParsedQuery(street='molenstraat', number='12a', box='3', postcode='', place='')
    >>> parse_query("5 Kerkstraat, 2387 Baarle")
    ParsedQuery(street='kerkstraat', number='5', box='', postcode='2387', place='baarle')
    """
    text = str(query).strip()
    # "5/2" and "5 / 2" mean house 5, box 2: keep the slash as a box marker
    text = re.sub(r"(\d)\s*/\s*(\w)", r"\1 bus \2", text)
    words = normalise_text(text).split()
    first_num = next((i for i, w in enumerate(words) if w[0].isdigit()), None)
    if first_num is None:
        return ParsedQuery(street_key(" ".join(words)), "", "")
    if first_num == 0:
        # number first: the street is the run of words after the number (and box)
        number, box, tail = _number_and_box(words)
        end = next((i for i, w in enumerate(tail) if w[0].isdigit()), len(tail))
        postcode, place = _postcode_and_place(tail[end:])
        return ParsedQuery(street_key(" ".join(tail[:end])), number, box, postcode, place)
    number, box, tail = _number_and_box(words[first_num:])
    postcode, place = _postcode_and_place(tail)
    return ParsedQuery(street_key(" ".join(words[:first_num])), number, box, postcode, place)


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


def _compact(text: str) -> str:
    """Normalised text without spaces: how numbers, boxes and place names are compared."""
    return normalise_text(text).replace(" ", "")


@dataclass(frozen=True)
class SearchAnswer:
    """Suggestions for a query and what to tell the user about them."""

    suggestions: list[dict[str, object]]
    """Best first; see :meth:`AddressIndex.lookup`."""
    exact: bool
    """True when the best-matching street has the number (and box) asked for, or when no
    number was asked; False when it has not or no street matched."""
    message_nl: str = ""
    """Dutch sentence when the query was not found as typed ("Kerkstraat heeft geen nummer
    500; dichtstbij: 48, 50."), else empty."""
    message_en: str = ""
    """The same in English."""


ADDRESS_MATCH_STATUSES: tuple[str, ...] = ("address", "building", "not_found", "ambiguous")


@dataclass(frozen=True)
class AddressMatch:
    """What :meth:`AddressIndex.resolve` made of one street, number, box and postcode."""

    status: str
    """``address`` (one address), ``building`` (the address without box of a building whose
    units carry boxes: every unit, one ``gebouw_id``), ``not_found`` or ``ambiguous``."""
    adres_ids: tuple[str, ...] = ()
    """The address found (``address``), or every unit's address of the building."""
    dwelling_ids: tuple[str, ...] = ()
    """The twin's dwelling ids of those addresses, in the same order."""
    gebouw_id: str | None = None
    """The building of the address or of the units."""
    nis_code: str | None = None
    """The municipality of the address."""
    label: str = ""
    """The address as the map shows it ("Kerkstraat 9, 2387 Baarle-Hertog")."""
    candidates: tuple[str, ...] = ()
    """For ``ambiguous``: the addresses it could be; for ``not_found``: the nearest existing
    numbers, boxes or streets (labels)."""
    reason_nl: str = ""
    """Why it is not one address, in Dutch (empty for ``address`` and ``building``)."""


@dataclass
class AddressIndex:
    """Searchable addresses of one workspace (see :func:`build_address_index`)."""

    frame: pd.DataFrame
    """One row per address: adres_id, dwelling_id, label, lon, lat, street_id, street_name,
    house_number, box_number, number, number_int, box, box_sort, postcode, municipality,
    place, nis_code, gebouw_id."""
    street_keys: list[str]
    codes: np.ndarray
    lengths: np.ndarray
    street_names: list[str] = field(default_factory=list)
    """Display name of each street key (the first spelling met)."""

    def __len__(self) -> int:
        return len(self.frame)

    # ---------------------------------------------------------------- the map's search box

    def search(self, query: str, limit: int = 10) -> list[dict[str, object]]:
        """Suggestions for a query, best first (the suggestions of :meth:`lookup`)."""
        return self.lookup(query, limit).suggestions

    def lookup(self, query: str, limit: int = 10) -> SearchAnswer:
        """Suggestions for a query, best first, and whether the address exists as typed.

        Ranking: a postcode or place typed after the number first, then street match
        (exact, prefix, typo, typo in a prefix, inside the name; then fewer edits), then the
        house number (exact, with the box when given; number starting with what was typed;
        nearest number), then natural order.

        Parameters
        ----------
        query : str
            What the user typed: ``"kerkstrat 5"``, ``"Sint-Jansstr. 12 bus 3"``,
            ``"5 kerkstraat"``, ``"kerkstraat 5, 2387 Baarle"``.
        limit : int
            Most suggestions returned (1–100).

        Returns
        -------
        SearchAnswer
            ``suggestions``: dicts ``{"adres_id", "label", "lon", "lat", "street",
            "house_number", "box_number", "postcode", "municipality", "nis_code",
            "gebouw_id", "exact"}`` (lon/lat in EPSG:4326 [degree]; ``exact``: this is the
            number and box asked for on the best street); ``exact`` and the messages say
            when the number or box asked for does not exist, naming the nearest ones.

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
        sub, order = self._ranked(parsed)
        if sub is None or not len(order):
            return SearchAnswer([], False, f"Geen straat gevonden die lijkt op "
                                f"'{str(query).strip()}'.",
                                f"No street found like '{str(query).strip()}'.")
        best = sub.iloc[order[0]]
        on_best = sub[(sub["street_id"].to_numpy() == best["street_id"])
                      & (sub["postcode"].to_numpy() == best["postcode"])]
        top = sub.iloc[order[:limit]]
        exact_rows = np.ones(len(top), dtype=bool)
        message_nl = message_en = ""
        exact = True
        if parsed.number:

            def asked(rows: pd.DataFrame) -> np.ndarray:
                ok = rows["number"].to_numpy() == parsed.number
                return ok & (rows["box"].to_numpy() == parsed.box) if parsed.box else ok

            exact_rows = asked(top) & (top["street_id"].to_numpy() == best["street_id"]) & (
                top["postcode"].to_numpy() == best["postcode"])
            exact = bool(asked(on_best).any())
            if not exact:
                message_nl, message_en = self._missing(parsed, best, on_best)
        suggestions = [
            {"adres_id": str(r.adres_id), "label": str(r.label), "lon": float(r.lon),
             "lat": float(r.lat), "street": str(r.street_name),
             "house_number": str(r.house_number), "box_number": str(r.box_number) or None,
             "postcode": str(r.postcode) or None, "municipality": str(r.municipality) or None,
             "nis_code": str(r.nis_code) or None, "gebouw_id": str(r.gebouw_id) or None,
             "exact": bool(e)}
            for r, e in zip(top.itertuples(index=False), exact_rows, strict=True)]
        return SearchAnswer(suggestions, exact, message_nl, message_en)

    def _missing(self, parsed: ParsedQuery, best: pd.Series,
                 on_best: pd.DataFrame) -> tuple[str, str]:
        """The sentences for a number or box that the best street does not have."""
        street = str(best["street_name"])
        same_number = on_best[on_best["number"] == parsed.number]
        if parsed.box and len(same_number):
            boxes = [b for b in same_number.sort_values("box_sort")["box_number"].astype(str)
                     if b][:MAX_NEAREST]
            shown = f"{street} {same_number['house_number'].iloc[0]}"
            if boxes:
                return (f"{shown} heeft geen bus {parsed.box}; wel: bus {', '.join(boxes)}.",
                        f"{shown} has no box {parsed.box}; it has box {', '.join(boxes)}.")
            return (f"{shown} heeft geen bussen; bus {parsed.box} bestaat niet.",
                    f"{shown} has no boxes; box {parsed.box} does not exist.")
        nearest = _nearest_numbers(on_best, parsed.number)
        return (f"{street} heeft geen huisnummer {parsed.number}; dichtstbij: "
                f"{', '.join(nearest)}.",
                f"{street} has no number {parsed.number}; nearest: {', '.join(nearest)}.")

    def _ranked(self, parsed: ParsedQuery) -> tuple[pd.DataFrame | None, np.ndarray]:
        """The candidate rows of a parsed query and their order, best first."""
        if not self.street_keys:
            return None, np.zeros(0, dtype=np.int64)
        street_rank, street_edits = self._street_ranks(parsed.street)
        f = self.frame
        s_rank = street_rank[f["street_id"].to_numpy()]
        keep = s_rank < 9
        if not keep.any():
            return None, np.zeros(0, dtype=np.int64)
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
        p_rank = np.zeros(len(sub), dtype=int)
        if parsed.postcode:
            p_rank += sub["postcode"].to_numpy(dtype=str) != parsed.postcode
        if parsed.place:
            p_rank += ~np.char.startswith(sub["place"].to_numpy(dtype=str), parsed.place)
        order = np.lexsort((sub["box_sort"].to_numpy(), sub["number"].to_numpy(),
                            sub["number_int"].to_numpy(), sub["postcode"].to_numpy(),
                            sub["street_id"].to_numpy(), n_dist, b_rank, n_rank, s_edit,
                            s_rank, p_rank))
        return sub, order

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

    # ---------------------------------------------------------------- the register's import

    def resolve(self, street: str, number: str, box: str = "",
                postcode: str = "") -> AddressMatch:
        """One address (or one apartment building) from its parts, as a register row gives them.

        The street is matched as the search box matches it (accents, case, abbreviations; a
        typo only when it leaves one street); the number and box must exist as given. A
        number without box that holds several units with boxes in one building is that
        building (``building``: the works of its association of co-owners, VME).

        Parameters
        ----------
        street, number : str
            Street name and house number (``"Kerkstraat"``, ``"12A"``).
        box : str
            Box number (busnummer), empty for none.
        postcode : str
            Four-digit postcode, empty when not given (then a street name that exists in two
            postcodes of the twin is ambiguous).

        Returns
        -------
        AddressMatch
        """
        key = street_key(street or "")
        num = _compact(number or "")
        bx = _compact(box or "")
        pc = _compact(postcode or "")
        given = " ".join(p for p in (str(street or "").strip(), str(number or "").strip()) if p)
        if bx:
            given += f" bus {str(box).strip()}"
        if not key or not num:
            return AddressMatch("not_found", reason_nl=(
                f"adres '{given}' onvolledig: geef straat en huisnummer"))
        keys = np.array(self.street_keys, dtype=str)
        streets = np.flatnonzero(keys == key)
        if not len(streets) and _max_typos(len(key)) and len(keys):
            full, _ = edit_distances(key, self.codes, self.lengths)
            if full.min() <= _max_typos(len(key)):
                streets = np.flatnonzero(full == full.min())
        if not len(streets):
            return AddressMatch("not_found", reason_nl=(
                f"straat '{str(street).strip()}' bestaat niet in de tweeling"))
        if len(streets) > 1:
            names = tuple(self.street_names[i] for i in streets)
            return AddressMatch("ambiguous", candidates=names, reason_nl=(
                f"straat '{str(street).strip()}' is niet eenduidig: {' | '.join(names)}"))
        f = self.frame
        rows = f[f["street_id"].to_numpy() == streets[0]]
        name = self.street_names[streets[0]]
        if pc:
            rows = rows[rows["postcode"].to_numpy(dtype=str) == pc]
            if rows.empty:
                return AddressMatch("not_found", reason_nl=(
                    f"{name} ligt niet in postcode {pc} in de tweeling"))
        hit = rows[rows["number"].to_numpy(dtype=str) == num]
        if hit.empty:
            nearest = _nearest_numbers(rows, num)
            return AddressMatch("not_found", candidates=tuple(f"{name} {n}" for n in nearest),
                                reason_nl=(f"{name} heeft geen huisnummer "
                                           f"{str(number).strip()} (dichtstbij: "
                                           f"{', '.join(nearest)})"))
        if hit["postcode"].nunique() > 1:
            labels = tuple(hit.drop_duplicates("postcode")["label"].map(_without_box))
            return AddressMatch("ambiguous", candidates=labels, reason_nl=(
                f"'{given}' bestaat in meer dan één postcode: {' | '.join(labels)}; "
                "vul de postcode in"))
        if bx:
            one = hit[hit["box"].to_numpy(dtype=str) == bx]
            if one.empty:
                boxes = [b for b in hit.sort_values("box_sort")["box_number"].astype(str) if b]
                wel = f"wel: bus {', '.join(boxes[:MAX_NEAREST])}" if boxes else "geen bussen"
                return AddressMatch("not_found", candidates=tuple(
                    hit.sort_values("box_sort")["label"].iloc[:MAX_NEAREST]), reason_nl=(
                    f"{_without_box(hit['label'].iloc[0])} heeft geen bus "
                    f"{str(box).strip()} ({wel})"))
            return _match("address", one.iloc[:1])
        if len(hit) == 1:
            return _match("address", hit)
        buildings = hit["gebouw_id"].astype(str).unique()
        if len(buildings) == 1 and buildings[0]:
            return _match("building", hit.sort_values("box_sort"))
        labels = tuple(hit.sort_values("box_sort")["label"])
        return AddressMatch("ambiguous", candidates=labels, reason_nl=(
            f"'{given}' is niet eenduidig: {' | '.join(labels[:MAX_NEAREST])}"
            + (" …" if len(labels) > MAX_NEAREST else "") + "; vul het busnummer in"))


def _without_box(label: str) -> str:
    return re.sub(r" bus [^,]+", "", str(label))


def _match(status: str, rows: pd.DataFrame) -> AddressMatch:
    first = rows.iloc[0]
    label = str(first["label"]) if status == "address" else _without_box(first["label"])
    return AddressMatch(status, adres_ids=tuple(rows["adres_id"].astype(str)),
                        dwelling_ids=tuple(rows["dwelling_id"].astype(str)),
                        gebouw_id=str(first["gebouw_id"]) or None,
                        nis_code=str(first["nis_code"]) or None, label=label)


def _nearest_numbers(rows: pd.DataFrame, number: str) -> list[str]:
    """The house numbers of ``rows`` nearest to ``number`` (as displayed), nearest first."""
    digits = re.match(r"\d+", number)
    target = int(digits.group()) if digits else 0
    numbers = rows.drop_duplicates("number")
    dist = np.abs(numbers["number_int"].to_numpy() - target)
    order = np.lexsort((numbers["number"].to_numpy(dtype=str), dist))
    return [str(n) for n in numbers["house_number"].to_numpy()[order][:MAX_NEAREST]]


def _text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype="object")
    col = frame[column].astype("object")
    return col.where(col.notna(), "").astype(str).str.strip()


def _per_value(values: pd.Series, func) -> pd.Series:  # noqa: ANN001 - a str -> str function
    """``func`` applied once per distinct value (a city repeats its streets and numbers)."""
    codes, uniques = pd.factorize(values, sort=False)
    mapped = np.array([func(u) for u in uniques], dtype=object)
    return pd.Series(mapped[codes] if len(codes) else np.array([], dtype=object),
                     index=values.index, dtype=object)


def _leading_int(text: str, missing: int) -> int:
    """The number a house number or box starts with ("12a" -> 12); ``missing`` if none."""
    digits = re.match(r"\d+", text)
    return int(digits.group()) if digits else missing


def build_address_index(dwellings: gpd.GeoDataFrame,
                        municipality_names: Mapping[str, str] | None = None) -> AddressIndex:
    """Index the addresses of the twin's dwellings for :meth:`AddressIndex.lookup` and
    :meth:`AddressIndex.resolve`.

    Parameters
    ----------
    dwellings : GeoDataFrame or DataFrame
        The twin's dwellings (points, EPSG:31370; a plain DataFrame gives an index without
        positions, lon/lat NaN, enough to resolve addresses) with ``adres_id``, ``street``,
        ``house_number`` and optionally ``box_number``, ``postcode``, ``nis_code``,
        ``gebouw_id``, ``dwelling_id`` and ``municipality_name``. Several dwellings with one
        ``adres_id`` give one entry; rows without a street or geometry are left out.
    municipality_names : mapping, optional
        NIS5 code → municipality name, for the labels; a ``municipality_name`` column wins.

    Returns
    -------
    AddressIndex
        Labels like ``"Kerkstraat 5 bus 2, 2999 Demowijk"`` and lon/lat in EPSG:4326 [degree].
    """
    if not isinstance(dwellings, pd.DataFrame):
        raise InputError(f"build_address_index needs a (Geo)DataFrame, got "
                         f"{type(dwellings).__name__}.")
    located = isinstance(dwellings, gpd.GeoDataFrame)
    if located:
        require_lambert72(dwellings, "the dwellings")
    missing = [c for c in ("adres_id", "street", "house_number") if c not in dwellings.columns]
    if missing:
        raise InputError(f"the dwellings miss the columns {missing}; give the twin's "
                         "dwellings table (read_twin).")
    keep = dwellings["adres_id"].notna() & dwellings["street"].notna()
    if located:
        keep &= ~(dwellings.geometry.isna() | dwellings.geometry.is_empty)
    d = dwellings[keep].drop_duplicates("adres_id")
    street = _text_column(d, "street")
    number = _text_column(d, "house_number")
    box = _text_column(d, "box_number")
    postcode = _text_column(d, "postcode")
    nis = _text_column(d, "nis_code")
    municipality = _text_column(d, "municipality_name")
    if municipality_names:
        names = {str(k).zfill(5): str(v) for k, v in municipality_names.items()}
        municipality = municipality.where(municipality != "", nis.map(names).fillna(""))
    label = street + " " + number
    label = label.where(box == "", label + " bus " + box)
    place = (postcode + " " + municipality).str.strip()
    label = label.where(place == "", label + ", " + place)
    keys = _per_value(street, street_key)
    uniq = sorted(set(keys))
    key_id = {k: i for i, k in enumerate(uniq)}
    street_id = keys.map(key_id).to_numpy(dtype=np.int64)
    first_name = pd.Series(street.to_numpy(), index=street_id)
    first_name = first_name[~first_name.index.duplicated()]
    number_norm = _per_value(number, _compact)
    number_int = _per_value(number_norm, lambda n: _leading_int(n, 1 << 30))
    box_norm = _per_value(box, _compact)
    if located:
        pts = d.geometry.to_crs(4326)
        lon, lat = np.round(pts.x.to_numpy(), 6), np.round(pts.y.to_numpy(), 6)
    else:  # a plain table (the register's import): resolvable, not placeable on a map
        lon = lat = np.full(len(d), np.nan)
    frame = pd.DataFrame({
        "adres_id": d["adres_id"].astype(str).to_numpy(),
        "dwelling_id": (_text_column(d, "dwelling_id").to_numpy(dtype=str)
                        if "dwelling_id" in d.columns else d["adres_id"].astype(str).to_numpy()),
        "label": label.str.strip().to_numpy(),
        "lon": lon,
        "lat": lat,
        "street_id": street_id,
        "street_name": street.to_numpy(dtype=str),
        "house_number": number.to_numpy(dtype=str),
        "box_number": box.to_numpy(dtype=str),
        "number": number_norm.to_numpy(dtype=str),
        "number_int": number_int.to_numpy(dtype=np.int64),
        "box": box_norm.to_numpy(dtype=str),
        "postcode": postcode.to_numpy(dtype=str),
        "municipality": municipality.to_numpy(dtype=str),
        "place": _per_value(municipality, _compact).to_numpy(dtype=str),
        "nis_code": nis.to_numpy(dtype=str),
        "gebouw_id": _text_column(d, "gebouw_id").to_numpy(dtype=str),
    })
    frame["box_sort"] = _per_value(box_norm, lambda b: _leading_int(b, -1)).to_numpy(
        dtype=np.int64)
    lengths = np.array([len(k) for k in uniq], dtype=np.int64)
    width = int(lengths.max()) if len(uniq) else 1
    return AddressIndex(frame=frame.reset_index(drop=True), street_keys=uniq,
                        codes=_codes(uniq, width), lengths=np.minimum(lengths, width),
                        street_names=[str(first_name.get(i, k)) for i, k in enumerate(uniq)])


__all__ = ["ADDRESS_MATCH_STATUSES", "MAX_NEAREST", "MAX_QUERY_CHARS", "AddressIndex",
           "AddressMatch", "ParsedQuery", "SearchAnswer", "build_address_index",
           "edit_distances", "normalise_text", "parse_query", "street_key"]
