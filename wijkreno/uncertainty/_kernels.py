"""Private numba kernel: build the engine inputs of every (dwelling, draw) row of a chunk.

The same algorithm as :func:`wijkreno.uncertainty.ensemble._draw_chunk` (the NumPy reference
the tests hold it equal to), fused into one pass that writes each row once instead of a dozen
full-size NumPy temporaries. Plain arrays in, preallocated outputs written, nothing raised.

Layout
------
``x0``      (m, F) packed inputs of the chunk's dwellings (the twin's values).
``h0``      (m,) int64 heating code of the twin.
``cum``     (m, 6) cumulative period probabilities (last column 1).
``typ``     (m,) int64 archetype row, -1 unknown.
``flags``   (m, 7) bool: imputed construction year, roof, wall, floor, glazing, infiltration,
            heating system (order of ``SOURCE_COLUMNS``).
``arch``    (n_typ, 6, 9) archetype fields (order of ``_ARCHETYPE_FIELDS``).
``ren``     (4, 6) renovated share of roof, wall, floor, glazing per period.
``r_add``   (3,) R added to roof, wall, floor [m2 K W-1].
``glz``     (2,) U after [W m-2 K-1] and g after [-] of replaced glazing.
``hcum``    (6, k) cumulative heating-system shares per period; ``hcodes`` (k,) their codes.
``u``       (m, D, 8) uniform numbers.
``cols``    (9,) column in ``x`` of each archetype field.
``x_out``   (m·D, F), ``h_out`` (m·D,) outputs, dwelling-major.
"""

from __future__ import annotations

from numba import njit, prange

# archetype fields (ensemble._ARCHETYPE_FIELDS)
A_U_ROOF, A_U_WALL, A_U_FLOOR, A_U_WINDOW, A_U_PARTY, A_G, A_TB, A_INF, A_CELLAR = range(9)
# flags (ensemble.SOURCE_COLUMNS)
F_YEAR, F_ROOF, F_WALL, F_FLOOR, F_GLAZING, F_INF, F_HEATING = range(7)
# uniforms (ensemble._U_*)
U_PERIOD, U_ROOF, U_WALL, U_FLOOR, U_GLAZING, U_HEATING = range(6)


@njit(parallel=True, cache=True, error_model="numpy")
def draw_inputs(x0, h0, cum, typ, flags, arch, ren, r_add, glz, hcum, hcodes, u, cols,
                x_out, h_out):  # pragma: no cover - compiled
    m, n_draws = u.shape[0], u.shape[1]
    n_fields = x0.shape[1]
    n_periods = cum.shape[1]
    n_sys = hcum.shape[1]
    for i in prange(m):
        t = typ[i]
        known = t >= 0
        tt = t if known else 0
        for k in range(n_draws):
            row = i * n_draws + k
            for j in range(n_fields):
                x_out[row, j] = x0[i, j]
            p = 0
            for j in range(n_periods - 1):
                if u[i, k, U_PERIOD] >= cum[i, j]:
                    p += 1
            if flags[i, F_YEAR] and known:
                for a in (A_U_PARTY, A_TB, A_CELLAR):
                    x_out[row, cols[a]] = arch[tt, p, a]
            for e in range(3):  # roof, wall, floor
                a = A_U_ROOF + e
                c = cols[a]
                if flags[i, F_ROOF + e]:
                    v = arch[tt, p, a] if known else x0[i, c]
                    if u[i, k, U_ROOF + e] < ren[e, p]:
                        v = 1.0 / (1.0 / v + r_add[e])
                    x_out[row, c] = v
            if flags[i, F_GLAZING]:
                cu = cols[A_U_WINDOW]
                cg = cols[A_G]
                uw = arch[tt, p, A_U_WINDOW] if known else x0[i, cu]
                gw = arch[tt, p, A_G] if known else x0[i, cg]
                if u[i, k, U_GLAZING] < ren[3, p] and uw > glz[0]:
                    uw = glz[0]
                    gw = glz[1]
                x_out[row, cu] = uw
                x_out[row, cg] = gw
            if flags[i, F_INF] and known:
                x_out[row, cols[A_INF]] = arch[tt, p, A_INF]
            if flags[i, F_HEATING]:
                s = 0
                for j in range(n_sys - 1):
                    if u[i, k, U_HEATING] >= hcum[p, j]:
                        s += 1
                h_out[row] = hcodes[s]
            else:
                h_out[row] = h0[i]
