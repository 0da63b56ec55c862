"""Numba kernel of the scenario model: move renovating dwellings along their trajectory.

A dwelling's trajectory is a row of states ``0 .. n_steps`` (0 = today, k = after step k), each
with its EPC score. One renovation event moves a dwelling from its position ``pos`` to

1. at least ``pos + min_steps`` (natural renovation: one or two steps; a campaign: all steps),
2. at least the first state at or after ``pos`` whose score is at or below ``bound``
   (the renovation obligation's label; ``+inf`` for none; the end when no state reaches it),
3. at least ``heat_step + 1`` when ``need_heat`` and the heating change is still ahead
   (a fossil-boiler ban),
4. and further while the state would be worse than today's (a step whose score is above the
   current one, e.g. a heating change before its envelope steps, is never stopped at); a move
   that cannot avoid a worse state is not made.

All positions are capped at ``n_steps``. ``advance_positions_reference`` is the readable NumPy
version; the tests hold the two equal.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(parallel=True, cache=True)
def advance_positions(pos: np.ndarray, n_steps: np.ndarray, score: np.ndarray,
                      tmpl: np.ndarray, min_steps: np.ndarray, bound: np.ndarray,
                      heat_step: np.ndarray, need_heat: np.ndarray,
                      out: np.ndarray) -> None:  # pragma: no cover - compiled
    """Kernel: new position per dwelling (see the module docstring).

    Parameters
    ----------
    pos : int64 (n,)
        Current position of each dwelling on its trajectory.
    n_steps : int64 (m,)
        Number of steps of each trajectory template.
    score : float64 (m, s+1)
        EPC score of each template's states [kWh m-2].
    tmpl : int64 (n,)
        Template row of each dwelling.
    min_steps : int64 (n,)
        Steps asked for by the event (0 for none).
    bound : float64 (n,)
        Score the event must reach [kWh m-2]; ``inf`` for none.
    heat_step : int64 (m,)
        Index (0-based step) of the template's heating change, -1 for none.
    need_heat : bool (n,)
        Whether the event must include the heating change.
    out : int64 (n,)
        New position (written).
    """
    for i in numba.prange(pos.shape[0]):
        t = tmpl[i]
        p = pos[i]
        last = n_steps[t]
        new = min(p + min_steps[i], last)
        b = bound[i]
        if b < np.inf:
            k = p
            while k < last and score[t, k] > b:
                k += 1
            if k > new:
                new = k
        h = heat_step[t]
        if need_heat[i] and h >= p and h + 1 > new:
            new = min(h + 1, last)
        while new < last and new > p and score[t, new] > score[t, p]:
            new += 1
        if new > p and score[t, new] > score[t, p]:
            new = p
        out[i] = new


def advance_positions_reference(pos: np.ndarray, n_steps: np.ndarray, score: np.ndarray,
                                tmpl: np.ndarray, min_steps: np.ndarray, bound: np.ndarray,
                                heat_step: np.ndarray, need_heat: np.ndarray) -> np.ndarray:
    """NumPy reference of :func:`advance_positions` (returns the new positions)."""
    s = score[tmpl]  # (n, s+1)
    last = n_steps[tmpl]
    cols = np.arange(s.shape[1])[None, :]
    new = np.minimum(pos + min_steps, last)
    # first state at or after pos reaching the bound, else the end
    ok = (cols >= pos[:, None]) & (cols <= last[:, None]) & (s <= bound[:, None])
    first = np.where(ok.any(axis=1), ok.argmax(axis=1), last)
    new = np.where(np.isfinite(bound), np.maximum(new, first), new)
    h = heat_step[tmpl]
    new = np.where(need_heat & (h >= pos), np.maximum(new, np.minimum(h + 1, last)), new)
    cur = s[np.arange(len(pos)), pos]
    # first state at or after new that is not worse than today's
    good = (cols >= new[:, None]) & (cols <= last[:, None]) & (s <= cur[:, None])
    nxt = np.where(good.any(axis=1), good.argmax(axis=1), -1)
    moved = new > pos
    return np.where(moved, np.where(nxt >= 0, nxt, pos), pos).astype(np.int64)
