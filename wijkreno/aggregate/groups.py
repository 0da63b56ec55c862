"""Collective renovation groups: which dwellings can renovate together.

:func:`find_groups` gives every dwelling of the twin exactly one group. The rules, applied in
this order (thresholds in ``wijkreno/params/collective.toml [groups]``, each with its source):

1. **apartment_building**: the dwellings of one building holding at least
   ``apartment_min_dwellings`` dwellings (one co-ownership decides on roof, facade, floor).
2. **block**: the remaining dwellings of main buildings joined by party walls (the twin's
   ``block_id``, connected components of the party-wall graph) when the block holds at least
   ``block_min_dwellings`` of them. A block may span streets (a corner).
3. **street_cluster**: the remaining dwellings, with smaller blocks (a semi-detached pair) kept
   whole as one unit, joined when they lie on the same street, have the same typology class and
   period class (``typology_class``, ``period_class``; a unit takes the most frequent values of
   its dwellings) and their address points lie within ``street_max_gap_m`` of each other;
   clusters are the connected components of that graph (single linkage: a street of detached
   houses 30 m apart forms one cluster however long it is). Dwellings without a street are
   only joined to their own block.
4. **single**: a dwelling left alone. A small block left alone keeps the kind ``block``.

The pairs within distance come from one bulk STRtree query and the clusters from
:func:`scipy.sparse.csgraph.connected_components`; there is no loop over dwellings.

Group ids are stable under a permutation of the rows: ``apartment-<gebouw_id>``,
``block-<block_id>``, ``street-<smallest dwelling_id of the cluster>``, ``single-<dwelling_id>``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from wijkreno.crs import require_lambert72
from wijkreno.errors import InputError
from wijkreno.params.models.collective import (
    CollectiveParams,
    load_collective_params,
)

GROUP_KINDS: tuple[str, ...] = ("apartment_building", "block", "street_cluster", "single")

GROUP_COLUMNS: tuple[str, ...] = ("dwelling_id", "group_id", "group_kind", "group_size",
                                  "block_id")
"""Columns of :func:`find_groups`' result (``block_id`` is the dwelling's building's block, -1
when none; the collective cost model uses it to find party-wall neighbours)."""


# ---------------------------------------------------------------------------------------------
# parameters (collective.toml): the models live in wijkreno.params.models.collective


# ---------------------------------------------------------------------------------------------
# grouping


def _check_inputs(buildings: pd.DataFrame, dwellings: pd.DataFrame) -> None:
    need_d = ["dwelling_id", "gebouw_id", "street", "typology", "tabula_period"]
    missing = [c for c in need_d if c not in dwellings.columns]
    if missing:
        raise InputError(
            f"find_groups needs the dwellings columns {missing}; pass the twin's dwellings "
            "(wijkreno.twin.schema.DWELLINGS)."
        )
    missing = [c for c in ("gebouw_id", "block_id") if c not in buildings.columns]
    if missing:
        raise InputError(
            f"find_groups needs the buildings columns {missing}; pass the twin's buildings "
            "(wijkreno.twin.schema.BUILDINGS)."
        )
    if not isinstance(dwellings, gpd.GeoDataFrame):
        raise InputError(
            f"find_groups needs the dwellings as a GeoDataFrame (address points), got "
            f"{type(dwellings).__name__}."
        )
    require_lambert72(dwellings, "the dwellings")
    if dwellings["dwelling_id"].duplicated().any():
        dups = dwellings.loc[dwellings["dwelling_id"].duplicated(), "dwelling_id"].head(5)
        raise InputError(f"duplicate dwelling_id values, e.g. {dups.tolist()}")


def _unit_mode(unit: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per row, the most frequent value among the rows of its unit (ties: smallest code)."""
    frame = pd.DataFrame({"unit": unit, "v": values})
    counts = frame.groupby(["unit", "v"], sort=True).size().reset_index(name="n")
    counts = counts.sort_values(["unit", "n", "v"], ascending=[True, False, True],
                                kind="stable")
    top = counts.drop_duplicates("unit").set_index("unit")["v"]
    return top.reindex(unit).to_numpy()


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of a column, -1 for missing values."""
    return pd.factorize(values.astype("string"), use_na_sentinel=True)[0].astype(np.int64)


def find_groups(
    buildings: pd.DataFrame,
    dwellings: gpd.GeoDataFrame,
    *,
    params: CollectiveParams | None = None,
) -> pd.DataFrame:
    """Give every dwelling one collective-renovation group (rules in the module docstring).

    Parameters
    ----------
    buildings : DataFrame or GeoDataFrame
        The twin's buildings (``gebouw_id``, ``block_id``).
    dwellings : GeoDataFrame
        The twin's dwellings (address points in EPSG:31370; ``dwelling_id``, ``gebouw_id``,
        ``street``, ``typology``, ``tabula_period``).
    params : CollectiveParams, optional
        The packaged ``collective.toml`` when None.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``dwellings``: ``dwelling_id``, ``group_id`` (str), ``group_kind`` (one of
        :data:`GROUP_KINDS`), ``group_size`` (dwellings in the group) and ``block_id`` (the
        party-wall block of the dwelling's building, -1 when none).

    Raises
    ------
    InputError
        When columns are missing or dwelling ids repeat.
    CRSError
        When the dwellings are not in EPSG:31370.
    """
    _check_inputs(buildings, dwellings)
    p = (params or load_collective_params()).groups
    n = len(dwellings)
    out = pd.DataFrame(index=dwellings.index)
    out["dwelling_id"] = dwellings["dwelling_id"].astype("string").to_numpy()
    if n == 0:
        out["group_id"] = pd.Series(dtype="string")
        out["group_kind"] = pd.Series(dtype="string")
        out["group_size"] = pd.Series(dtype="int64")
        out["block_id"] = pd.Series(dtype="int64")
        return out

    dwelling_id = out["dwelling_id"].to_numpy(dtype=object)
    gebouw = dwellings["gebouw_id"].astype("string").to_numpy(dtype=object)
    block_of = pd.Series(
        pd.to_numeric(buildings["block_id"], errors="coerce").to_numpy(),
        index=buildings["gebouw_id"].astype("string").to_numpy(dtype=object),
    )
    block_of = block_of[~block_of.index.duplicated()]
    block = block_of.reindex(gebouw).fillna(-1).to_numpy(dtype=np.int64)

    group_id = np.empty(n, dtype=object)
    kind = np.empty(n, dtype=object)
    todo = np.ones(n, dtype=bool)

    # 1. apartment buildings
    per_building = pd.Series(gebouw).map(pd.Series(gebouw).value_counts()).to_numpy()
    apartment = per_building >= p.apartment_min_dwellings.value
    group_id[apartment] = "apartment-" + pd.Series(gebouw[apartment]).astype(str).to_numpy()
    kind[apartment] = "apartment_building"
    todo &= ~apartment

    # 2. blocks large enough on their own (dwellings not yet grouped)
    in_block = todo & (block >= 0)
    block_size = pd.Series(block[in_block]).value_counts()
    size_here = pd.Series(block).map(block_size).fillna(0).to_numpy()
    big = in_block & (size_here >= p.block_min_dwellings.value)
    group_id[big] = "block-" + pd.Series(block[big]).astype(str).to_numpy()
    kind[big] = "block"
    todo &= ~big

    # 3. street clusters of the rest: units = small blocks kept whole, else single dwellings
    rest = np.flatnonzero(todo)
    if rest.size:
        unit = np.where(block[rest] >= 0, block[rest], -(rest + 2))  # unique negative ids
        street = _codes(dwellings["street"].iloc[rest])
        typ = dwellings["typology"].astype("string").iloc[rest].map(p.typology_class.classes)
        per = dwellings["tabula_period"].astype("string").iloc[rest].map(p.period_class.classes)
        typ_code = _codes(typ)
        per_code = _codes(per)
        # a unit takes its dwellings' most frequent street / class / period
        street = _unit_mode(unit, street)
        typ_code = _unit_mode(unit, typ_code)
        per_code = _unit_mode(unit, per_code)
        pts = dwellings.geometry.iloc[rest].to_numpy()
        tree = shapely.STRtree(pts)
        i, j = tree.query(pts, predicate="dwithin", distance=float(p.street_max_gap_m.value))
        keep = (i < j) & (street[i] >= 0) & (street[i] == street[j]) \
            & (typ_code[i] == typ_code[j]) & (per_code[i] == per_code[j])
        i, j = i[keep], j[keep]
        # every dwelling of a unit joined to the unit's first dwelling
        first = pd.Series(np.arange(rest.size)).groupby(unit).transform("min").to_numpy()
        rows = np.concatenate([i, np.arange(rest.size)])
        cols = np.concatenate([j, first])
        graph = coo_matrix((np.ones(rows.size, dtype=np.int8), (rows, cols)),
                           shape=(rest.size, rest.size))
        _, comp = connected_components(graph, directed=False)
        comp_size = np.bincount(comp)[comp]
        n_units = pd.Series(unit).groupby(comp).nunique().to_numpy()[comp]
        ids = dwelling_id[rest]
        smallest = pd.Series(ids).groupby(comp).transform("min").to_numpy(dtype=object)
        gid = np.where(comp_size == 1, "single-" + ids.astype(str),
                       np.where(n_units == 1, "block-" + unit.astype(str),
                                "street-" + smallest.astype(str)))
        knd = np.where(comp_size == 1, "single",
                       np.where(n_units == 1, "block", "street_cluster"))
        group_id[rest] = gid
        kind[rest] = knd

    out["group_id"] = pd.array(group_id, dtype="string")
    out["group_kind"] = pd.array(kind, dtype="string")
    out["group_size"] = out["group_id"].map(out["group_id"].value_counts()).astype(np.int64)
    out["block_id"] = block
    return out


__all__ = [
    "GROUP_COLUMNS",
    "GROUP_KINDS",
    "CollectiveParams",
    "find_groups",
    "load_collective_params",
]
