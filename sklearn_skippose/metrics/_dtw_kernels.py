"""Compiled DTW kernels (numba), kept apart from the estimator code.

All kernels take a precomputed block ``S`` of inner products between query
frames (rows) and dictionary frames (columns), as float32 matrix products
give it, and turn every entry into a local cost on the fly:

* ``metric == 0`` (cosine, unit-normalised frames): ``c = 1 - s``;
* ``metric == 1`` (euclidean): ``c = max(0, |q|^2 + |d|^2 - 2 s)``.

Sequences are located in the block by offsets and lengths passed explicitly
(no NaN padding is rediscovered). The dynamic programme minimises the
accumulated cost over monotone paths with steps (1, 0), (0, 1), (1, 1) from
``(0, 0)`` to ``(n - 1, m - 1)`` (classical DTW, tslearn's recursion) and
also tracks the number of cells on the optimal path, from which the
similarity scores are formed (see ``_dtw.py``). Rows may be restricted to a
band ``[lo_i, hi_i)`` (Sakoe-Chiba, Itakura); accumulation is in float64.

Ties between equally cheap paths are broken towards the shortest path
(fewest cells), in every kernel, so that scores do not depend on the kernel
that computed them.

:func:`dtw_lanes_cosine` is the fast path for unconstrained cosine DTW: it
works on exact fixed-point integers and runs many dictionary sequences in
vector lanes (see its docstring).

Upper bounds used for pruning are written in terms of the three aggregates
(``0`` = sum of similarities, ``1`` = mean similarity along the path,
``2`` = negative accumulated cost) with ``ks = 1`` for cosine
(``s = 1 - c``) and ``ks = 0`` for euclidean (``s = -c``).
"""

import numpy as np
from numba import njit, prange

INF = np.inf


@njit(cache=True, inline="always")
def _cost(S, r, k, qn, dn, metric):
    s = S[r, k]
    if metric == 0:
        return 1.0 - s
    c = qn[r] + dn[k] - 2.0 * s
    return c if c > 0.0 else 0.0


@njit(cache=True, inline="always")
def _score_bound(aggregate, ks, acc_lb, max_len):
    """Upper bound of the final score given a lower bound on the cost."""
    if aggregate == 0:
        return ks * max_len - acc_lb
    if aggregate == 1:
        return ks - acc_lb / max_len
    return -acc_lb


@njit(cache=True, inline="always")
def _fill_band(band_id, band_lo, band_hi, n, m, lo, hi):
    """Row bands of an (n, m) pair: from the tables, or the full width."""
    if band_id.shape[0] > 1:
        bid = band_id[n, m]
        for t in range(n):
            lo[t] = band_lo[bid, t]
            hi[t] = band_hi[bid, t]
    else:
        for t in range(n):
            lo[t] = 0
            hi[t] = m


@njit(cache=True)
def _dtw_one(S, qn, dn, metric, r0, n, k0, m, lo, hi, prev, cur, prevL, curL,
             rowmin, aggregate, ks, threshold):
    """DTW of one pair; returns (accumulated cost, path length).

    ``lo``/``hi`` give the band of every row (length ``n``). ``threshold`` is
    the score to beat: when the pair provably cannot exceed it the DP stops
    and ``(inf, 0)`` is returned (early abandoning). ``-inf`` disables it.
    """
    prune = threshold > -INF
    # suffix sums of row minima: lower bound on the cost still to come
    if prune:
        tail = 0.0
        for i in range(n - 1, -1, -1):
            best = INF
            for j in range(lo[i], hi[i]):
                c = _cost(S, r0 + i, k0 + j, qn, dn, metric)
                if c < best:
                    best = c
            rowmin[i] = tail
            if best == INF:
                return INF, 0
            tail += best
        if _score_bound(aggregate, ks, tail, n + m - 1) < threshold:
            return INF, 0
    for j in range(m + 1):
        prev[j] = INF
        cur[j] = INF
    # arrays are shifted by one: index j + 1 holds column j, index 0 is a
    # permanent +inf sentinel for the left/diagonal neighbour of column 0
    for i in range(n):
        a = lo[i]
        b = hi[i]
        if i >= 2:
            for j in range(lo[i - 2], hi[i - 2]):
                cur[j + 1] = INF
        if i == 0:
            acc = 0.0
            for j in range(a, b):
                if j != 0 and cur[j] == INF:
                    break
                acc += _cost(S, r0, k0 + j, qn, dn, metric)
                cur[j + 1] = acc
                curL[j + 1] = j + 1
        else:
            left = cur[a]
            leftL = curL[a]
            for j in range(a, b):
                best = prev[j]
                L = prevL[j]
                up = prev[j + 1]
                if up < best or (up == best and prevL[j + 1] < L):
                    best = up
                    L = prevL[j + 1]
                if left < best or (left == best and leftL < L):
                    best = left
                    L = leftL
                v = best + _cost(S, r0 + i, k0 + j, qn, dn, metric)
                cur[j + 1] = v
                curL[j + 1] = L + 1
                left = v
                leftL = L + 1
        if prune and i < n - 1:
            best_ub = -INF
            rest = rowmin[i]
            for j in range(a, b):
                v = cur[j + 1]
                if v < INF:
                    max_len = curL[j + 1] + (n - 1 - i) + (m - 1 - j)
                    ub = _score_bound(aggregate, ks, v + rest, max_len)
                    if ub > best_ub:
                        best_ub = ub
            if best_ub < threshold:
                return INF, 0
        tmp = prev
        prev = cur
        cur = tmp
        tmpL = prevL
        prevL = curL
        curL = tmpL
    return prev[m], prevL[m]


@njit(cache=True, parallel=True)
def dtw_block(S, qn, dn, metric, q_off, q_len, d_off, d_len, band_id, band_lo,
              band_hi, out_cost, out_len):
    """All pairs of a query block and a dictionary chunk, no pruning.

    ``band_id[a, b]`` indexes the band of lengths ``(a, b)`` in ``band_lo`` /
    ``band_hi`` (shape ``(n_bands, max_len)``); ``band_id`` of shape (1, 1)
    means unconstrained.
    """
    nq = q_off.shape[0]
    nd = d_off.shape[0]
    max_m = d_len.max()
    max_n = q_len.max()
    for i in prange(nq):
        prev = np.empty(max_m + 1)
        cur = np.empty(max_m + 1)
        prevL = np.zeros(max_m + 1, dtype=np.int64)
        curL = np.zeros(max_m + 1, dtype=np.int64)
        rowmin = np.empty(max_n)
        lo = np.zeros(max_n, dtype=np.int64)
        hi = np.empty(max_n, dtype=np.int64)
        n = q_len[i]
        for j in range(nd):
            m = d_len[j]
            _fill_band(band_id, band_lo, band_hi, n, m, lo, hi)
            c, L = _dtw_one(S, qn, dn, metric, q_off[i], n, d_off[j], m, lo, hi,
                            prev, cur, prevL, curL, rowmin, 0, 0.0, -INF)
            out_cost[i, j] = c
            out_len[i, j] = L


LANES = 8


@njit(cache=True, parallel=True)
def dtw_block_interleaved(S, qn, dn, metric, q_off, q_len, d_off, d_len,
                          out_cost, out_len):
    """Unconstrained DTW of all pairs, ``LANES`` dictionary sequences at once.

    The DP of one pair is a chain of dependent min/add operations along each
    row; running ``LANES`` independent pairs in the same inner loop hides
    that latency (about 2x faster than one pair at a time). Lanes of a group
    run to the group's longest length: ``S`` must have ``max(d_len)`` spare
    columns after the last frame, and the dictionary should be ordered by
    length (the caller does both) so little work is wasted.
    """
    nq = q_off.shape[0]
    nd = d_off.shape[0]
    max_m = d_len.max()
    for i in prange(nq):
        n = q_len[i]
        r0 = q_off[i]
        P = np.empty((max_m + 1, LANES))
        C = np.empty((max_m + 1, LANES))
        PL = np.zeros((max_m + 1, LANES))
        CL = np.zeros((max_m + 1, LANES))
        k = np.empty(LANES, dtype=np.int64)
        ms = np.empty(LANES, dtype=np.int64)
        lv = np.empty(LANES)
        ll = np.empty(LANES)
        cc = np.empty(LANES)
        for g in range(0, nd, LANES):
            mm = 0
            for p in range(LANES):
                jj = min(g + p, nd - 1)
                k[p] = d_off[jj]
                ms[p] = d_len[jj]
                if ms[p] > mm:
                    mm = ms[p]
            for p in range(LANES):
                P[0, p] = INF
                C[0, p] = INF
                acc = 0.0
                for j in range(mm):
                    acc += _cost(S, r0, k[p] + j, qn, dn, metric)
                    P[j + 1, p] = acc
                    PL[j + 1, p] = j + 1
            for ii in range(1, n):
                r = r0 + ii
                for p in range(LANES):
                    lv[p] = INF
                    ll[p] = 0.0
                qr = qn[r]
                for j in range(mm):
                    if metric == 0:
                        for p in range(LANES):
                            cc[p] = 1.0 - S[r, k[p] + j]
                    else:
                        for p in range(LANES):
                            c = qr + dn[k[p] + j] - 2.0 * S[r, k[p] + j]
                            cc[p] = c if c > 0.0 else 0.0
                    for p in range(LANES):
                        b = P[j, p]
                        L = PL[j, p]
                        u = P[j + 1, p]
                        Lu = PL[j + 1, p]
                        L = Lu if (u < b or (u == b and Lu < L)) else L
                        b = min(b, u)
                        lft = lv[p]
                        L = ll[p] if (lft < b or (lft == b and ll[p] < L)) else L
                        b = min(b, lft)
                        v = b + cc[p]
                        lv[p] = v
                        ll[p] = L + 1.0
                        C[j + 1, p] = v
                        CL[j + 1, p] = L + 1.0
                P, C = C, P
                PL, CL = CL, PL
            for p in range(LANES):
                if g + p < nd:
                    out_cost[i, g + p] = P[ms[p], p]
                    out_len[i, g + p] = PL[ms[p], p]


@njit(cache=True, parallel=True)
def dtw_candidates(S, qn, dn, metric, n, d_off, d_len, band_id, band_lo,
                   band_hi, aggregate, ks, threshold, out_cost, out_len):
    """One query (rows ``0..n-1`` of ``S``) against candidate sequences, with
    early abandoning against ``threshold`` (the k-th best score so far)."""
    nd = d_off.shape[0]
    max_m = d_len.max()
    for j in prange(nd):
        prev = np.empty(max_m + 1)
        cur = np.empty(max_m + 1)
        prevL = np.zeros(max_m + 1, dtype=np.int64)
        curL = np.zeros(max_m + 1, dtype=np.int64)
        rowmin = np.empty(n)
        lo = np.zeros(n, dtype=np.int64)
        hi = np.empty(n, dtype=np.int64)
        m = d_len[j]
        _fill_band(band_id, band_lo, band_hi, n, m, lo, hi)
        c, L = _dtw_one(S, qn, dn, metric, 0, n, d_off[j], m, lo, hi, prev, cur,
                        prevL, curL, rowmin, aggregate, ks, threshold)
        out_cost[j] = c
        out_len[j] = L


#: (di, dj) of step codes 0, 1, 2, as recorded by :func:`dtw_full` and
#: :func:`dtw_full_bounded`
_CLASSIC_MOVES = np.array([[1, 1], [1, 0], [0, 1]], dtype=np.int64)
_BOUNDED_MOVES = np.array([[1, 1], [2, 1], [1, 2]], dtype=np.int64)


@njit(cache=True)
def _backtrack(acc, step, moves):
    """The optimal path from (0, 0) to the far corner, from the recorded steps
    (empty when the corner was not reached)."""
    n, m = acc.shape
    path = np.empty((n + m, 2), dtype=np.int64)
    if acc[n - 1, m - 1] == INF:
        return path[:0]
    i, j, p = n - 1, m - 1, 0
    while True:
        path[p, 0] = i
        path[p, 1] = j
        p += 1
        if i == 0 and j == 0:
            break
        st = step[i, j]
        i -= moves[st, 0]
        j -= moves[st, 1]
    return path[:p][::-1].copy()


@njit(cache=True)
def dtw_full(C, lo, hi):
    """Accumulated-cost matrix and optimal path of one pair (float64).

    For :func:`dtw_alignment`: small inputs, so the whole matrix is kept and
    the path is recovered by backtracking the recorded steps (ties go to the
    shortest path, then to the diagonal, the vertical and the horizontal
    step, in that order, as in the forward kernels).
    """
    n, m = C.shape
    acc = np.full((n, m), INF)
    plen = np.zeros((n, m), dtype=np.int64)
    step = np.zeros((n, m), dtype=np.int8)  # 0 diagonal, 1 vertical, 2 horizontal
    for i in range(n):
        for j in range(lo[i], hi[i]):
            if i == 0 and j == 0:
                acc[i, j] = C[0, 0]
                plen[i, j] = 1
                continue
            best = INF
            L = 0
            st = -1
            if i > 0 and j > 0 and acc[i - 1, j - 1] < INF:
                best = acc[i - 1, j - 1]
                L = plen[i - 1, j - 1]
                st = 0
            if i > 0 and acc[i - 1, j] < INF:
                v = acc[i - 1, j]
                if st < 0 or v < best or (v == best and plen[i - 1, j] < L):
                    best = v
                    L = plen[i - 1, j]
                    st = 1
            if j > 0 and acc[i, j - 1] < INF:
                v = acc[i, j - 1]
                if st < 0 or v < best or (v == best and plen[i, j - 1] < L):
                    best = v
                    L = plen[i, j - 1]
                    st = 2
            if st >= 0:
                acc[i, j] = best + C[i, j]
                plen[i, j] = L + 1
                step[i, j] = st
    return acc, _backtrack(acc, step, _CLASSIC_MOVES)


@njit(cache=True)
def dtw_full_bounded(C):
    """:func:`dtw_full` with the steps (1, 1), (2, 1) and (1, 2), unbanded.

    The whole-pair counterpart of :func:`subsequence_dtw_bounded` (same
    steps, same ties: the cheapest, then the shortest, then the diagonal,
    the double step in ``i`` and the double step in ``j``), so the path of a
    match found by the subsequence search is this path over the matched
    stretch. A step by two skips the cell in between. The path is empty
    when no path of these steps joins the corners.
    """
    n, m = C.shape
    acc = np.full((n, m), INF)
    plen = np.zeros((n, m), dtype=np.int64)
    step = np.zeros((n, m), dtype=np.int8)  # 0 (1, 1), 1 (2, 1), 2 (1, 2)
    acc[0, 0] = C[0, 0]
    plen[0, 0] = 1
    for i in range(1, n):
        for j in range(1, m):
            best = acc[i - 1, j - 1]
            L = plen[i - 1, j - 1]
            st = 0
            if i >= 2:
                v = acc[i - 2, j - 1]
                if v < best or (v == best and plen[i - 2, j - 1] < L):
                    best = v
                    L = plen[i - 2, j - 1]
                    st = 1
            if j >= 2:
                v = acc[i - 1, j - 2]
                if v < best or (v == best and plen[i - 1, j - 2] < L):
                    best = v
                    L = plen[i - 1, j - 2]
                    st = 2
            if best < INF:
                acc[i, j] = best + C[i, j]
                plen[i, j] = L + 1
                step[i, j] = st
    return acc, _backtrack(acc, step, _BOUNDED_MOVES)


# ----------------------------------------------------------------------------
# Unconstrained cosine DTW in vector lanes, exact fixed-point arithmetic
# ----------------------------------------------------------------------------

LANE_WIDTH = 32  # dictionary sequences processed side by side
KEY_INF = 1 << 62


@njit(cache=True, nogil=True, fastmath=True, boundscheck=False, error_model="numpy")
def dtw_lanes_cosine(S, q_off, q_len, g_col, g_len, lane_len, c0, scale, lbits,
                     out_key, row0, col0):
    """Unconstrained cosine DTW of a query block against lane-packed groups.

    The dictionary is stored in groups of ``LANE_WIDTH`` sequences: frame
    ``j`` of lane ``p`` of group ``g`` is column ``g_col[g] + j * LANE_WIDTH +
    p`` of the similarity tile ``S`` (shifted by ``c0``; lanes shorter than
    the group's ``g_len[g]`` frames are padded with zero frames). One row of
    the dynamic programme then reads ``LANE_WIDTH`` contiguous similarities
    per column and updates all lanes with the same vector instructions.

    Every cell carries one int64 key ``(fixed-point cost << lbits) + path
    length``: the local cost ``1 - s`` is truncated to a multiple of
    ``1 / scale`` (exact for float32 similarities of magnitude above
    ``2**24 / scale``), the increment of a cell is ``(cost << lbits) + 1``,
    and the minimum of the three predecessor keys is the cheapest path, ties
    going to the shortest one. The caller chooses ``scale`` and ``lbits`` so
    that no key overflows (``path length < 2**lbits``). The key at the last
    column of each lane is written to ``out_key[row0 + i, col0 + g * W + p]``.
    """
    W = LANE_WIDTH
    nq = q_off.shape[0]
    ng = g_len.shape[0]
    mmax = 0
    for g in range(ng):
        if g_len[g] > mmax:
            mmax = g_len[g]
    P = np.empty((mmax + 1) * W, np.int64)
    C = np.empty((mmax + 1) * W, np.int64)
    left = np.empty(W, np.int64)  # a separate array lets LLVM vectorise the lanes
    for i in range(nq):
        r0 = q_off[i]
        n = q_len[i]
        for g in range(ng):
            mm = g_len[g]
            base = g_col[g] - c0
            # virtual row -1: only the virtual cell before (0, 0) is free
            for t in range(W):
                P[t] = 0
            for t in range(W, (mm + 1) * W):
                P[t] = KEY_INF
            for ii in range(n):
                Sg = S[r0 + ii, base: base + mm * W]
                for p in range(W):
                    left[p] = KEY_INF
                    C[p] = KEY_INF  # virtual column -1
                for j in range(mm):
                    a = j * W
                    b = a + W
                    for p in range(W):
                        best = min(P[a + p], P[b + p])
                        best = min(best, left[p])
                        inc = (np.int64((1.0 - np.float64(Sg[a + p])) * scale) << lbits) + 1
                        v = best + inc
                        left[p] = v
                        C[b + p] = v
                P, C = C, P
            for p in range(W):
                out_key[row0 + i, col0 + g * W + p] = P[lane_len[g, p] * W + p]


@njit(cache=True, inline="always")
def _column_costs(S, col, qn, dn, metric, c):
    """Local costs of one frame (row ``col`` of ``S``) against every query
    frame, clipped at 0 (rounding can make them slightly negative)."""
    if metric == 0:
        for i in range(c.shape[0]):
            c[i] = max(1.0 - S[col, i], 0.0)
    else:
        for i in range(c.shape[0]):
            c[i] = max(qn[i] + dn[col] - 2.0 * S[col, i], 0.0)


@njit(cache=True, parallel=True)
def subsequence_dtw(S, qn, dn, metric, p_col, p_first, p_len, acc, cells, start,
                    out_cost, out_len, out_start):
    """Subsequence DTW of one query against a block of frames of long sequences.

    ``S`` (cols, n) holds the inner products of a contiguous block of the
    long sequences' packed frames (called columns below, as they are the
    columns of the alignment) with the query's frames (rows of the
    alignment), one frame's ``n`` products contiguous;
    local costs are formed on the fly as in the other kernels (``1 - s``
    for unit-normalised frames, clipped at 0, or ``qn + dn - 2 s``). The
    block holds pieces of sequences: piece ``p`` is frames ``p_first[p] ..
    p_first[p] + p_len[p] - 1`` of one sequence, in columns ``p_col[p] ..``
    (rows) of ``S``. The programme's last column of piece ``p`` is left in
    ``acc[p, 0]``, ``cells[p, 0]``, ``start[p, 0]`` (shape (n_pieces, 2,
    n): :func:`subsequence_dtw_bounded` keeps two columns); a piece
    that does not start at frame 0 continues from the state found there
    (the caller copies the previous block's last piece in), so sequences of
    any length are searched in blocks of bounded memory.

    For every frame ``e`` the programme keeps the cheapest monotone path
    from ``(0, b)`` to ``(i, e)`` over all starts ``b <= e`` (open begin;
    Müller's subsequence DTW): its accumulated cost, number of cells and
    start. Row ``n - 1`` of every frame, the best match of the whole query
    ending there (open end), is written to ``out_*`` at column ``p_col[p] +
    t``. Steps and ties are those of the other kernels: the diagonal, the
    query step and the sequence step, the cheapest, ties to the shortest
    path. Pieces run in parallel.
    """
    n = S.shape[1]
    for p in prange(p_col.shape[0]):
        # local copies: contiguous, and known not to alias for the compiler
        a = acc[p, 0].copy()
        aL = cells[p, 0].copy()
        aB = start[p, 0].copy()
        c = np.empty(n)
        for t in range(p_len[p]):
            col = p_col[p] + t
            j = p_first[p] + t
            _column_costs(S, col, qn, dn, metric, c)
            # row 0, open begin: a path may start at any frame
            diag = a[0]  # the previous frame's entry of row i - 1
            diagL = aL[0]
            diagB = aB[0]
            up = c[0]  # this frame's entry of row i - 1
            upL = 1
            upB = j
            a[0] = up
            aL[0] = upL
            aB[0] = upB
            for i in range(1, n):
                if j == 0:  # first frame: only the query step
                    best = up
                    L = upL
                    B = upB
                else:
                    best = diag
                    L = diagL
                    B = diagB
                    if up < best or (up == best and upL < L):
                        best = up
                        L = upL
                        B = upB
                    left = a[i]  # the previous frame, same row
                    if left < best or (left == best and aL[i] < L):
                        best = left
                        L = aL[i]
                        B = aB[i]
                    diag = a[i]
                    diagL = aL[i]
                    diagB = aB[i]
                up = best + c[i]
                upL = L + 1
                upB = B
                a[i] = up
                aL[i] = upL
                aB[i] = upB
            out_cost[col] = a[n - 1]
            out_len[col] = aL[n - 1]
            out_start[col] = aB[n - 1]
        acc[p, 0] = a
        cells[p, 0] = aL
        start[p, 0] = aB


@njit(cache=True, parallel=True)
def subsequence_dtw_bounded(S, qn, dn, metric, p_col, p_first, p_len, acc, cells, start,
                            out_cost, out_len, out_start):
    """:func:`subsequence_dtw` with the steps (1, 1), (2, 1) and (1, 2).

    Every step advances both sequences, one of them by up to two frames
    (Müller's step sizes for audio matching), so the slope of a path stays
    between 1/2 and 2: a match lasts between about half and twice the
    query's length, and a few frames cannot absorb the whole query. A step
    by two skips the cell in between, which adds neither cost nor length.
    The state of a piece is its last two columns: ``acc[p, 0]`` the last
    and ``acc[p, 1]`` the one before (likewise ``cells`` and ``start``).
    Frames with no admissible path (the first of a sequence, for a query
    longer than one frame) get an infinite cost. Ties: the cheapest, then
    the shortest, then the diagonal, the query's double step, the
    sequence's double step.
    """
    n = S.shape[1]
    for p in prange(p_col.shape[0]):
        a1 = acc[p, 0].copy()  # column j - 1
        L1 = cells[p, 0].copy()
        B1 = start[p, 0].copy()
        a2 = acc[p, 1].copy()  # column j - 2
        L2 = cells[p, 1].copy()
        B2 = start[p, 1].copy()
        a0 = np.empty(n)  # column j
        L0 = np.empty(n, dtype=np.int64)
        B0 = np.empty(n, dtype=np.int64)
        c = np.empty(n)
        for t in range(p_len[p]):
            col = p_col[p] + t
            j = p_first[p] + t
            _column_costs(S, col, qn, dn, metric, c)
            a0[0] = c[0]  # open begin
            L0[0] = 1
            B0[0] = j
            for i in range(1, n):
                best = INF
                L = 0
                B = 0
                if j >= 1:
                    best = a1[i - 1]
                    L = L1[i - 1]
                    B = B1[i - 1]
                    if i >= 2:
                        v = a1[i - 2]
                        if v < best or (v == best and L1[i - 2] < L):
                            best = v
                            L = L1[i - 2]
                            B = B1[i - 2]
                    if j >= 2:
                        v = a2[i - 1]
                        if v < best or (v == best and L2[i - 1] < L):
                            best = v
                            L = L2[i - 1]
                            B = B2[i - 1]
                a0[i] = best + c[i]
                L0[i] = L + 1
                B0[i] = B
            out_cost[col] = a0[n - 1]
            out_len[col] = L0[n - 1]
            out_start[col] = B0[n - 1]
            a0, a1, a2 = a2, a0, a1
            L0, L1, L2 = L2, L0, L1
            B0, B1, B2 = B2, B0, B1
        acc[p, 0] = a1
        acc[p, 1] = a2
        cells[p, 0] = L1
        cells[p, 1] = L2
        start[p, 0] = B1
        start[p, 1] = B2
