"""Cosine-similarity DTW between sets of feature sequences.

The paper (section 3.2) scores a query against a dictionary sequence by
building the map of cosine similarities between all pairs of time steps,
aligning the two with dynamic time warping and summing the similarities
along the optimal path. Here:

* the **path** is classical DTW on the local cost ``c = 1 - cos`` (cosine) or
  ``c = ||u - v||^2`` (euclidean), exactly tslearn's recursion, so the path
  and accumulated cost match :func:`tslearn.metrics.dtw_path_from_metric` /
  :func:`tslearn.metrics.cdist_dtw` on L2-normalised frames;
* the **score** aggregates the local similarity ``s`` (``cos`` for cosine,
  ``-||u - v||^2`` for euclidean) along that path: ``"sum"`` (the paper's
  equation 7), ``"mean"`` (sum divided by the path length; the plain sum
  grows with the path length), or ``"cost"`` (minus the accumulated cost, the
  classical DTW ranking).

The cosine similarity of a zero vector with anything (another zero vector
included) is defined as 0, as :func:`sklearn.metrics.pairwise.cosine_similarity`
does, so it never produces NaN.
"""

import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numba
import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.utils import Bunch

from ..utils._sequences import (
    _as_float_array,
    check_int_param,
    check_n_jobs,
    sequence_lengths,
    to_sequence_dataset,
)
from ._dtw_kernels import (
    LANE_WIDTH,
    dtw_block,
    dtw_block_interleaved,
    dtw_candidates,
    dtw_full,
    dtw_full_bounded,
    dtw_lanes_cosine,
)

__all__ = ["dtw_alignment", "pairwise_dtw_scores", "dtw_band"]

METRICS = ("cosine", "euclidean")
AGGREGATES = ("sum", "mean", "cost")
CONSTRAINTS = (None, "sakoe_chiba", "itakura")
_BLOCK_BYTES = 128 * 2**20


def check_dtw_params(metric, aggregate, global_constraint, sakoe_chiba_radius,
                     itakura_max_slope):
    """Validate the DTW parameters shared by the functions and the estimator."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}.")
    if aggregate not in AGGREGATES:
        raise ValueError(f"aggregate must be one of {AGGREGATES}, got {aggregate!r}.")
    check_constraint_params(global_constraint, sakoe_chiba_radius, itakura_max_slope)


def check_constraint_params(global_constraint, sakoe_chiba_radius, itakura_max_slope):
    """Validate the global-constraint parameters."""
    if global_constraint not in CONSTRAINTS:
        raise ValueError(
            f"global_constraint must be one of {CONSTRAINTS}, got {global_constraint!r}."
        )
    if sakoe_chiba_radius is not None:
        if isinstance(sakoe_chiba_radius, bool) or not isinstance(
            sakoe_chiba_radius, (int, np.integer)
        ):
            raise TypeError(
                f"sakoe_chiba_radius must be an integer, got {sakoe_chiba_radius!r}."
            )
        if sakoe_chiba_radius < 0:
            raise ValueError(f"sakoe_chiba_radius must be >= 0, got {sakoe_chiba_radius}.")
    if itakura_max_slope is not None:
        if not isinstance(itakura_max_slope, (int, float, np.number)) or isinstance(
            itakura_max_slope, bool
        ):
            raise TypeError(f"itakura_max_slope must be a number, got {itakura_max_slope!r}.")
        if not itakura_max_slope >= 1:
            raise ValueError(f"itakura_max_slope must be >= 1, got {itakura_max_slope}.")


def dtw_band(n, m, global_constraint=None, sakoe_chiba_radius=None, itakura_max_slope=None):
    """Per-row admissible columns ``[lo[i], hi[i])`` of a global constraint.

    The region is tslearn's own (:func:`tslearn.metrics.compute_mask`), turned
    into one interval per row. An infeasible constraint (no admissible path)
    gives empty rows.

    Parameters
    ----------
    n, m : int
        Lengths of the two sequences.
    global_constraint : {None, "sakoe_chiba", "itakura"}, default=None
        Constraint type.
    sakoe_chiba_radius : int, default=None
        Band radius (tslearn's default 1 when None).
    itakura_max_slope : float, default=None
        Parallelogram slope (tslearn's default 2 when None).

    Returns
    -------
    lo, hi : ndarray of shape (n,), int64
        Admissible columns of every row.

    Examples
    --------
    >>> lo, hi = dtw_band(4, 4, "sakoe_chiba", sakoe_chiba_radius=1)
    >>> lo.tolist(), hi.tolist()
    ([0, 0, 1, 2], [2, 3, 4, 4])
    """
    n, m = check_int_param(n, "n"), check_int_param(m, "m")
    check_constraint_params(global_constraint, sakoe_chiba_radius, itakura_max_slope)
    if global_constraint is None:
        return np.zeros(n, dtype=np.int64), np.full(n, m, dtype=np.int64)
    from tslearn.metrics import compute_mask

    code = {"itakura": 1, "sakoe_chiba": 2}[global_constraint]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mask = np.asarray(
                compute_mask(
                    int(n),
                    int(m),
                    global_constraint=code,
                    sakoe_chiba_radius=sakoe_chiba_radius,
                    itakura_max_slope=itakura_max_slope,
                )
            )
    except RuntimeWarning:  # tslearn raises it for an infeasible Itakura slope
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    if mask.dtype != bool:  # older tslearn: 0 inside, inf outside
        mask = mask == 0
    lo = np.where(mask.any(axis=1), mask.argmax(axis=1), 0).astype(np.int64)
    hi = np.where(mask.any(axis=1), m - mask[:, ::-1].argmax(axis=1), 0).astype(np.int64)
    width = mask.sum(axis=1)
    if not np.array_equal(width, np.maximum(hi - lo, 0)):
        raise ValueError("The global constraint region is not one interval per row.")
    return lo, hi


class _Bands:
    """Band tables for every (query length, dictionary length) pair."""

    def __init__(self, q_lengths, d_lengths, constraint, radius, slope):
        if constraint is None:
            self.band_id = np.zeros((1, 1), dtype=np.int64)
            self.lo = np.zeros((1, 1), dtype=np.int64)
            self.hi = np.zeros((1, 1), dtype=np.int64)
            return
        qs = np.unique(q_lengths)
        ds = np.unique(d_lengths)
        max_n = int(qs.max())
        self.band_id = np.full((max_n + 1, int(ds.max()) + 1), -1, dtype=np.int64)
        self.lo = np.zeros((len(qs) * len(ds), max_n), dtype=np.int64)
        self.hi = np.zeros((len(qs) * len(ds), max_n), dtype=np.int64)
        b = 0
        for n in qs:
            for m in ds:
                lo, hi = dtw_band(int(n), int(m), constraint, radius, slope)
                self.lo[b, :n] = lo
                self.hi[b, :n] = hi
                self.band_id[n, m] = b
                b += 1


class PackedSequences:
    """Sequences as one contiguous float32 frame matrix plus offsets.

    For the cosine metric the frames are L2-normalised once (zero frames stay
    zero); ``sqnorm`` holds squared norms for the euclidean metric.
    """

    def __init__(self, X3, lengths, metric, dtype=np.float32):
        lengths = np.asarray(lengths, dtype=np.int64)
        mask = np.arange(X3.shape[1])[None, :] < lengths[:, None]
        self._set_frames(np.ascontiguousarray(X3[mask], dtype=dtype), lengths, metric)

    @classmethod
    def from_frames(cls, frames, lengths, metric, dtype=np.float32, copy=True):
        """Sequences given as their frames, one after another (no padding).

        ``copy=False`` lets a C-contiguous ``frames`` of ``dtype`` be
        normalised in place (for an array the caller owns).
        """
        out = cls.__new__(cls)
        frames = (np.array(frames, dtype=dtype, order="C") if copy
                  else np.ascontiguousarray(frames, dtype=dtype))
        out._set_frames(frames, np.asarray(lengths, dtype=np.int64), metric)
        return out

    def _set_frames(self, frames, lengths, metric):
        """Normalise ``frames`` (a copy, modified in place) and store them."""
        sq = np.empty(len(frames))
        step = 1 << 18  # float64 arithmetic chunk by chunk: exact and bounded
        for a in range(0, len(frames), step):
            f64 = frames[a : a + step].astype(np.float64, copy=False)
            sq[a : a + step] = np.einsum("ij,ij->i", f64, f64)
            if metric == "cosine":
                norms = np.sqrt(sq[a : a + step])
                f64 = np.divide(f64, norms[:, None], out=np.zeros_like(f64),
                                where=norms[:, None] > 0)
                frames[a : a + step] = f64
                sq[a : a + step] = norms > 0
        self.frames = frames
        self.sqnorm = sq.astype(frames.dtype)
        self.lengths = lengths
        self.offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        self.metric = metric

    def __len__(self):
        return len(self.lengths)

    def concatenate(self, other):
        """These sequences followed by ``other``'s, as a new ``PackedSequences``
        (both packed for the same metric and dtype)."""
        out = PackedSequences.__new__(PackedSequences)
        out.frames = np.concatenate([self.frames, other.frames])
        out.sqnorm = np.concatenate([self.sqnorm, other.sqnorm])
        out.lengths = np.concatenate([self.lengths, other.lengths])
        out.offsets = np.concatenate([[0], np.cumsum(out.lengths)[:-1]]).astype(np.int64)
        out.metric = self.metric
        return out

    def subset(self, idx):
        """Frames, squared norms and offsets of the sequences ``idx``."""
        lens = self.lengths[idx]
        starts = self.offsets[idx]
        total = int(lens.sum())
        rel = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
        rows = np.repeat(starts, lens) + rel
        offs = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int64)
        return self.frames[rows], self.sqnorm[rows], offs, lens

    def take(self, idx):
        """The sequences ``idx``, in that order, as a new ``PackedSequences``."""
        out = PackedSequences.__new__(PackedSequences)
        out.frames, out.sqnorm, out.offsets, out.lengths = self.subset(idx)
        out.metric = self.metric
        return out


def _scores_from(cost, length, metric, aggregate):
    ks = 1.0 if metric == "cosine" else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        if aggregate == "sum":
            s = ks * length - cost
        elif aggregate == "mean":
            s = (ks * length - cost) / np.maximum(length, 1)
        else:
            s = -cost
    return np.where(np.isfinite(cost), s, -np.inf)


def _block_rows(n_cols, max_len):
    rows = max(_BLOCK_BYTES // (4 * max(n_cols, 1)), 1)
    return max(rows, max_len)


_local = threading.local()


def _buffer(rows, cols, dtype):
    """A (rows, cols) view of this thread's reusable scratch buffer."""
    need = rows * cols
    buf = getattr(_local, "buf", None)
    if buf is None or buf.size < need or buf.dtype != dtype:
        buf = np.empty(max(need, _BLOCK_BYTES // np.dtype(dtype).itemsize), dtype=dtype)
        _local.buf = buf
    return buf[:need].reshape(rows, cols)


def _cost_tile(Q, q_sl, D, d_sl, bands):
    """Accumulated cost and path length for queries q_sl x dictionary d_sl."""
    q0, q1 = Q.offsets[q_sl.start], Q.offsets[q_sl.stop - 1] + Q.lengths[q_sl.stop - 1]
    k0, k1 = D.offsets[d_sl.start], D.offsets[d_sl.stop - 1] + D.lengths[d_sl.stop - 1]
    d_len = D.lengths[d_sl]
    pad = int(d_len.max())
    # a reused buffer: page-faulting a fresh 64 MB result costs about as much
    # as the matrix product itself
    S = _buffer(q1 - q0, k1 - k0 + pad, Q.frames.dtype)
    np.matmul(Q.frames[q0:q1], D.frames[k0:k1].T, out=S[:, : k1 - k0])
    S[:, k1 - k0 :] = 0
    metric = 0 if Q.metric == "cosine" else 1
    nq, nd = q_sl.stop - q_sl.start, d_sl.stop - d_sl.start
    dn = np.zeros(k1 - k0 + pad, dtype=D.sqnorm.dtype)
    dn[: k1 - k0] = D.sqnorm[k0:k1]
    cost = np.empty((nq, nd))
    if bands.band_id.shape[0] == 1:
        order = np.argsort(d_len, kind="stable")
        c_sorted = np.empty((nq, nd))
        l_sorted = np.empty((nq, nd))
        dtw_block_interleaved(S, Q.sqnorm[q0:q1], dn, metric, Q.offsets[q_sl] - q0,
                              Q.lengths[q_sl], D.offsets[d_sl][order] - k0,
                              d_len[order], c_sorted, l_sorted)
        cost[:, order] = c_sorted
        length = np.empty((nq, nd), dtype=np.int64)
        length[:, order] = l_sorted
        return cost, length
    length = np.empty((nq, nd), dtype=np.int64)
    dtw_block(S, Q.sqnorm[q0:q1], dn, metric, Q.offsets[q_sl] - q0,
              Q.lengths[q_sl], D.offsets[d_sl] - k0, d_len, bands.band_id,
              bands.lo, bands.hi, cost, length)
    return cost, length


def _slices(lengths, budget_rows):
    """Consecutive slices of sequences whose total frames fit budget_rows."""
    out, start, acc = [], 0, 0
    for i, L in enumerate(lengths):
        if acc + L > budget_rows and i > start:
            out.append(slice(start, i))
            start, acc = i, 0
        acc += int(L)
    out.append(slice(start, len(lengths)))
    return out


def _query_block_costs(Q, q_sl, D, bands, d_slices):
    parts = [_cost_tile(Q, q_sl, D, d_sl, bands) for d_sl in d_slices]
    return (np.concatenate([p[0] for p in parts], axis=1),
            np.concatenate([p[1] for p in parts], axis=1))


def sorted_by_length(P):
    """``(P', order)``: P with its sequences stored by increasing length.

    The interleaved kernel runs ``LANES`` dictionary sequences side by side;
    neighbours in memory of similar length keep its reads local and its lanes
    busy (about 2x faster than an arbitrary order on JHMDB-like lengths).
    """
    order = np.argsort(P.lengths, kind="stable")
    if np.array_equal(order, np.arange(len(order))):
        return P, order
    return P.take(order), order


def _float_pairwise_costs(Q, D, bands, n_jobs=None):
    """Float64 kernels: constraints, the euclidean metric, very long paths."""
    D, order = sorted_by_length(D)
    d_budget = max(_BLOCK_BYTES // (4 * 1024), int(D.lengths.max()))
    d_slices = _slices(D.lengths, d_budget)
    widest = max(int(D.lengths[s].sum()) for s in d_slices)
    q_slices = _slices(Q.lengths, _block_rows(widest, int(Q.lengths.max())))
    res = Parallel(n_jobs=n_jobs)(
        delayed(_query_block_costs)(Q, q_sl, D, bands, d_slices) for q_sl in q_slices
    )
    cost = np.empty((len(Q), len(D)))
    length = np.empty((len(Q), len(D)), dtype=np.int64)
    cost[:, order] = np.concatenate([r[0] for r in res], axis=0)
    length[:, order] = np.concatenate([r[1] for r in res], axis=0)
    return cost, length


# ----------------------------------------------------------------------------
# Fast path: unconstrained cosine DTW on lane-packed dictionaries
# ----------------------------------------------------------------------------

_LANE_ROWS = 512  # query frames per similarity tile
_LANE_COLS = 2048  # dictionary columns per tile (a 4 MB float32 tile)
_LANE_CHUNK_BYTES = 64 * 2**20  # lane-packed dictionary frames held at once


def _lane_key_format(max_n, max_m):
    """``(lbits, scale)`` of :func:`dtw_lanes_cosine`'s keys, None if too long.

    A path has at most ``max_n + max_m - 1`` cells, each of cosine cost at most
    2 (plus float32 rounding), so ``lbits`` bits hold the path length and the
    remaining bits of a 62-bit key the cost in units of ``1 / scale``.
    """
    longest = int(max_n) + int(max_m) - 1
    lbits = longest.bit_length()
    cost_bits = int(np.ceil(2.001 * longest)).bit_length()
    frac_bits = 61 - lbits - cost_bits
    if frac_bits < 30:  # paths of tens of thousands of steps: float64 kernels
        return None
    return lbits, float(2.0**frac_bits)


class _LaneGroups:
    """The dictionary ordered by length and cut into groups of lanes."""

    def __init__(self, D):
        W = LANE_WIDTH
        self.order = np.argsort(D.lengths, kind="stable")
        n_groups = -(-len(D) // W)
        lane_len = np.zeros(n_groups * W, dtype=np.int64)
        lane_len[: len(D)] = D.lengths[self.order]
        self.lane_len = lane_len.reshape(n_groups, W)
        self.g_len = self.lane_len.max(axis=1)
        self.width = self.g_len * W  # columns of every group

    def pack(self, D, ga, gz):
        """Frames of groups ``ga:gz`` in lane layout and their first columns."""
        W = LANE_WIDTH
        g_col = np.concatenate([[0], np.cumsum(self.width[ga:gz])]).astype(np.int64)
        seq = self.order[ga * W : gz * W]
        t = np.arange(len(seq))
        lens = D.lengths[seq]
        rel = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
        dest = np.repeat(g_col[t // W] + t % W, lens) + W * rel
        src = np.repeat(D.offsets[seq], lens) + rel
        frames = np.zeros((int(g_col[-1]), D.frames.shape[1]), dtype=np.float32)
        frames[dest] = D.frames[src]
        return frames, g_col


_blas_lock = threading.Lock()
_blas_state = {"users": 0, "limiter": None, "controller": None}


@contextmanager
def _single_threaded_blas():
    """BLAS limited to one thread while our own threads share the cores.

    Reference counted, so that concurrent calls (joblib threads, in-process
    dask workers) restore the original limits only when the last one leaves.
    """
    from threadpoolctl import ThreadpoolController

    with _blas_lock:
        if _blas_state["users"] == 0:
            if _blas_state["controller"] is None:
                _blas_state["controller"] = ThreadpoolController()
            _blas_state["limiter"] = _blas_state["controller"].limit(limits=1, user_api="blas")
        _blas_state["users"] += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_state["users"] -= 1
            if _blas_state["users"] == 0:
                _blas_state["limiter"].restore_original_limits()
                _blas_state["limiter"] = None


def _lane_block_keys(Q, q_sl, D, groups, fmt):
    """Keys of queries ``q_sl`` against every group, packed chunk by chunk."""
    W = LANE_WIDTH
    lbits, scale = fmt
    q_off, q_len = Q.offsets[q_sl], Q.lengths[q_sl]
    q0 = int(q_off[0])
    rows = _slices(q_len, max(_LANE_ROWS, int(q_len.max())))
    keys = np.empty((len(q_len), len(groups.g_len) * W), dtype=np.int64)
    chunk_cols = max(_LANE_CHUNK_BYTES // (4 * Q.frames.shape[1]), int(groups.width.max()))
    n_threads = max(1, numba.get_num_threads())

    def tile(job):
        r_sl, ga, ta, tz, frames, g_col = job
        a = int(q_off[r_sl.start]) - q0
        z = int(q_off[r_sl.stop - 1] + q_len[r_sl.stop - 1]) - q0
        c0, c1 = int(g_col[ta]), int(g_col[tz])
        S = _buffer(z - a, c1 - c0, np.float32)
        np.matmul(Q.frames[q0 + a : q0 + z], frames[c0:c1].T, out=S)
        dtw_lanes_cosine(S, q_off[r_sl] - q0 - a, q_len[r_sl], g_col[ta : tz + 1],
                         groups.g_len[ga + ta : ga + tz], groups.lane_len[ga + ta : ga + tz],
                         c0, scale, lbits, keys, r_sl.start, (ga + ta) * W)

    with _single_threaded_blas(), ThreadPoolExecutor(n_threads) as pool:
        for chunk in _slices(groups.width, chunk_cols):
            ga, gz = chunk.start, chunk.stop
            frames, g_col = groups.pack(D, ga, gz)
            jobs = [(r_sl, ga, t.start, t.stop, frames, g_col)
                    for t in _slices(groups.width[ga:gz], _LANE_COLS) for r_sl in rows]
            list(pool.map(tile, jobs))
    return keys


def _lane_costs(Q, D, fmt, n_jobs):
    groups = _LaneGroups(D)
    n_tasks = min(len(Q), max(1, effective_n_jobs(n_jobs)))
    budget = -(-int(Q.lengths.sum()) // n_tasks)
    q_slices = _slices(Q.lengths, max(budget, int(Q.lengths.max())))
    res = Parallel(n_jobs=n_jobs)(
        delayed(_lane_block_keys)(Q, q_sl, D, groups, fmt) for q_sl in q_slices
    )
    keys = np.concatenate(res, axis=0)[:, : len(D)]
    lbits, scale = fmt
    cost = np.empty((len(Q), len(D)))
    length = np.empty((len(Q), len(D)), dtype=np.int64)
    cost[:, groups.order] = (keys >> lbits) / scale
    length[:, groups.order] = keys & ((1 << lbits) - 1)
    return cost, length


def pairwise_costs(Q, D, bands, n_jobs=None):
    """(accumulated cost, path length) of every query x dictionary pair.

    Unconstrained cosine DTW takes the lane-packed fixed-point kernel
    (:func:`dtw_lanes_cosine`, several times faster); everything else the
    float64 kernels. Both give the same costs (to float32 similarity
    precision) and the same path lengths.
    """
    fmt = None
    if Q.metric == "cosine" and bands.band_id.shape[0] == 1:
        fmt = _lane_key_format(Q.lengths.max(), D.lengths.max())
    if fmt is None:
        return _float_pairwise_costs(Q, D, bands, n_jobs)
    return _lane_costs(Q, D, fmt, n_jobs)


def _as_dataset(X, name):
    X3 = to_sequence_dataset(X, dtype=np.float64)
    lengths = sequence_lengths(X3)
    if (lengths == 0).any():
        raise ValueError(f"{name} has a sequence with no real frame (no frames, or all NaN).")
    inner = np.isnan(X3) & (np.arange(X3.shape[1])[None, :, None] < lengths[:, None, None])
    if inner.any() or np.isinf(X3).any():
        raise ValueError(
            f"{name} has NaN or infinite values inside real frames; only trailing "
            "all-NaN frames (padding) are allowed. Missing keypoints can be filled "
            "in first with KeypointInterpolator, or the sequences embedded (the "
            "embedders mask them)."
        )
    return X3, lengths


def pairwise_dtw_scores(X, Y=None, *, metric="cosine", aggregate="sum",
                        global_constraint=None, sakoe_chiba_radius=None,
                        itakura_max_slope=None, n_jobs=None):
    """DTW similarity scores between every sequence of ``X`` and of ``Y``.

    Parameters
    ----------
    X : array-like of shape (n_x, max_frames, n_features)
        NaN-padded sequences (or a list of ``(T_i, n_features)`` arrays).
    Y : array-like of shape (n_y, max_frames, n_features), default=None
        Second set; ``X`` itself when None.
    metric : {"cosine", "euclidean"}, default="cosine"
        Local similarity between time steps.
    aggregate : {"sum", "mean", "cost"}, default="sum"
        How similarities along the optimal path become one score (module
        docstring). The default is the paper's sum (eq. 7); the estimators
        (:class:`~sklearn_skippose.DTWNearestNeighbors`,
        :class:`~sklearn_skippose.DTWNeighborsIndex`) default to ``"mean"``,
        so pass ``aggregate="mean"`` to reproduce their scores.
    global_constraint : {None, "sakoe_chiba", "itakura"}, default=None
        tslearn's global constraints.
    sakoe_chiba_radius : int, default=None
        Radius for ``"sakoe_chiba"`` (1 when None).
    itakura_max_slope : float, default=None
        Slope for ``"itakura"`` (2 when None).
    n_jobs : int, default=None
        Joblib workers over blocks of ``X`` (the compiled kernels already use
        every core of the machine they run on: numba's thread count); with
        ``joblib.parallel_backend("dask")`` the blocks go to a dask cluster.

    Returns
    -------
    scores : ndarray of shape (n_x, n_y)
        Higher is more similar; ``-inf`` where the constraint admits no path.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [0.0, 1.0]]])
    >>> pairwise_dtw_scores(X).round(3)
    array([[2., 1.],
           [1., 2.]])
    >>> pairwise_dtw_scores(X, aggregate="mean").round(3)
    array([[1. , 0.5],
           [0.5, 1. ]])
    """
    check_dtw_params(metric, aggregate, global_constraint, sakoe_chiba_radius,
                     itakura_max_slope)
    check_n_jobs(n_jobs)
    X3, lx = _as_dataset(X, "X")
    if Y is None:
        Y3, ly = X3, lx
    else:
        Y3, ly = _as_dataset(Y, "Y")
        if Y3.shape[2] != X3.shape[2]:
            raise ValueError(
                f"X and Y must have the same number of features per frame; got "
                f"{X3.shape[2]} and {Y3.shape[2]}."
            )
    Q = PackedSequences(X3, lx, metric)
    D = PackedSequences(Y3, ly, metric)
    bands = _Bands(lx, ly, global_constraint, sakoe_chiba_radius, itakura_max_slope)
    cost, length = pairwise_costs(Q, D, bands, n_jobs=n_jobs)
    return _scores_from(cost, length, metric, aggregate)


def dtw_alignment(x, y, *, metric="cosine", aggregate="sum", global_constraint=None,
                  sakoe_chiba_radius=None, itakura_max_slope=None, steps="classic"):
    """Similarity map and optimal DTW path of one pair (the paper's Figure 4).

    Parameters
    ----------
    x : array-like of shape (n_frames_x, n_features)
        Query sequence (trailing all-NaN frames are dropped).
    y : array-like of shape (n_frames_y, n_features)
        Dictionary sequence.
    metric : {"cosine", "euclidean"}, default="cosine"
        Local similarity between time steps.
    aggregate : {"sum", "mean", "cost"}, default="sum"
        How similarities along the path become the score (as in
        :func:`pairwise_dtw_scores`).
    global_constraint : {None, "sakoe_chiba", "itakura"}, default=None
        tslearn's global constraints.
    sakoe_chiba_radius : int, default=None
        Radius for ``"sakoe_chiba"`` (1 when None).
    itakura_max_slope : float, default=None
        Slope for ``"itakura"`` (2 when None).
    steps : {"classic", "bounded"}, default="classic"
        The steps of the path: (1, 0), (0, 1), (1, 1), as everywhere else in
        the package; or (1, 1), (2, 1), (1, 2), the slope-bounded steps of
        :func:`dtw_subsequence_search`, so that the alignment of a match it
        found is ``dtw_alignment(query, X[sequence, start:stop],
        steps="bounded")`` (a step by two skips a cell; no global
        constraint with these steps).

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``similarity`` (n_x, n_y) float64 map of local similarities
        (cosine similarities, or minus squared distances); ``path`` (n_steps,
        2) int array of ``(i, j)`` from ``(0, 0)`` to ``(n_x - 1, n_y - 1)``
        (empty when the constraint or the steps admit no path); ``score`` (float);
        ``cost`` (accumulated local cost along the path).

    Examples
    --------
    >>> import numpy as np
    >>> r = dtw_alignment(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0]]))
    >>> r.path.tolist(), float(r.score)
    ([[0, 0], [1, 0]], 1.0)
    """
    check_dtw_params(metric, aggregate, global_constraint, sakoe_chiba_radius,
                     itakura_max_slope)
    if steps not in ("classic", "bounded"):
        raise ValueError(f"steps must be 'classic' or 'bounded', got {steps!r}.")
    if steps == "bounded" and global_constraint is not None:
        raise ValueError(
            "global_constraint applies to the classic steps; the bounded steps limit "
            "the slope themselves (set global_constraint=None or steps='classic')."
        )
    xs, ys = [], []
    for seq, name, out in ((x, "x", xs), (y, "y", ys)):
        a = _as_float_array(seq, np.float64, name)
        if a.ndim == 1:
            a = a[:, None]
        if a.ndim != 2:
            raise ValueError(f"{name} must be 2D (n_frames, n_features), got shape {a.shape}.")
        X3, lengths = _as_dataset(a[None], name)
        out.append(X3[0, : lengths[0]])
    a, b = xs[0], ys[0]
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"x and y must have the same number of features; got {a.shape[1]} and {b.shape[1]}."
        )
    if metric == "cosine":
        na = np.linalg.norm(a, axis=1, keepdims=True)
        nb = np.linalg.norm(b, axis=1, keepdims=True)
        ua = np.divide(a, na, out=np.zeros_like(a), where=na > 0)
        ub = np.divide(b, nb, out=np.zeros_like(b), where=nb > 0)
        sim = ua @ ub.T
        cost = 1.0 - sim
    else:
        cost = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
        sim = -cost
    if steps == "bounded":
        acc, path = dtw_full_bounded(np.ascontiguousarray(cost))
    else:
        lo, hi = dtw_band(len(a), len(b), global_constraint, sakoe_chiba_radius,
                          itakura_max_slope)
        acc, path = dtw_full(np.ascontiguousarray(cost), lo, hi)
    total = acc[-1, -1]
    score = _scores_from(np.array(total), np.array(len(path)), metric, aggregate)
    return Bunch(similarity=sim, path=path, score=float(score), cost=float(total))


# ----------------------------------------------------------------------------
# Exact k-nearest neighbours with pruning for large dictionaries
# ----------------------------------------------------------------------------


class SegmentIndex:
    """Per-sequence segment centroids and radii for cheap score bounds.

    Every dictionary sequence is cut into segments of ``segment`` frames; a
    segment is summarised by the centroid ``c`` of its frames and the radius
    ``r`` (largest distance of a frame to ``c``). For any query frame ``q``
    (unit or zero in the cosine case) and frame ``d`` of the segment,
    ``q . d <= q . c + r`` and ``||q - d|| >= ||q - c|| - r``, which bound every
    row of the cost map, hence the DTW cost, from a matrix product with the
    centroids only (``segment`` times fewer columns than the full map).
    """

    def __init__(self, D, segment=8):
        lens = D.lengths
        n_seg = (lens + segment - 1) // segment
        self.seg_start = np.concatenate([[0], np.cumsum(n_seg)[:-1]]).astype(np.int64)
        # frame -> segment id
        seq_of_frame = np.repeat(np.arange(len(lens)), lens)
        pos = np.arange(len(D.frames)) - np.repeat(D.offsets, lens)
        seg_of_frame = self.seg_start[seq_of_frame] + pos // segment
        G = int(n_seg.sum())
        counts = np.bincount(seg_of_frame, minlength=G).astype(np.float64)
        cent = np.zeros((G, D.frames.shape[1]))
        np.add.at(cent, seg_of_frame, D.frames.astype(np.float64))
        cent /= counts[:, None]
        dist = np.linalg.norm(D.frames - cent[seg_of_frame], axis=1)
        radius = np.zeros(G)
        np.maximum.at(radius, seg_of_frame, dist)
        self.centroids = cent.astype(np.float32)
        self.c_sqnorm = (cent ** 2).sum(1)
        # small safety margin against float32 rounding in the bounds
        self.radius = radius * (1 + 1e-5) + 1e-5


def _lower_bound_costs(qf, qsq, index, metric):
    """Lower bound of the DTW cost of one query against every sequence."""
    P = (qf @ index.centroids.T).astype(np.float64)  # (n, G)
    if metric == "cosine":
        # best possible similarity per query row and segment
        smax = np.minimum(P + index.radius[None, :], 1.0)
        row_best = np.maximum.reduceat(smax, index.seg_start, axis=1)  # (n, n_seq)
        rowmin_cost = np.maximum(1.0 - row_best, 0.0)
    else:
        d2 = np.maximum(qsq[:, None] + index.c_sqnorm[None, :] - 2 * P, 0.0)
        lb = np.maximum(np.sqrt(d2) - index.radius[None, :], 0.0) ** 2
        rowmin_cost = np.minimum.reduceat(lb, index.seg_start, axis=1)
    return rowmin_cost.sum(axis=0) * (1 - 1e-6)


def knn_pruned(Q, D, index, bands, k, metric, aggregate, batch=1024):
    """Exact top-``k`` scores per query, best-first with bounds and abandoning.

    Candidates are visited in decreasing order of a cheap upper bound on
    their score (from :class:`SegmentIndex`); each batch gets its similarity
    map from one matrix product and a DTW with early abandoning against the
    k-th best score so far; the search stops when no remaining bound can beat
    it. Returns ``(scores, indices, n_dp)``, ``n_dp`` being the number of
    pairs whose DTW was run (a measure of how much the bounds pruned).
    """
    ks = 1.0 if metric == "cosine" else 0.0
    agg = AGGREGATES.index(aggregate)
    m_code = 0 if metric == "cosine" else 1
    nq = len(Q)
    out_s = np.full((nq, k), -np.inf)
    out_i = np.full((nq, k), -1, dtype=np.int64)
    n_dp = 0
    for qi in range(nq):
        n = int(Q.lengths[qi])
        o = int(Q.offsets[qi])
        qf = Q.frames[o : o + n]
        qsq = Q.sqnorm[o : o + n]
        lbd = _lower_bound_costs(qf, qsq.astype(np.float64), index, metric)
        max_len = n + D.lengths - 1
        if aggregate == "sum":
            ub = ks * max_len - lbd
        elif aggregate == "mean":
            ub = ks - lbd / max_len
        else:
            ub = -lbd
        ub = ub + 1e-4 * (1 + np.abs(ub))
        order = np.argsort(-ub, kind="stable")
        best_s = np.empty(0)
        best_i = np.empty(0, dtype=np.int64)
        for start in range(0, len(order), batch):
            thr = best_s[-1] if len(best_s) >= k else -np.inf
            cand = order[start : start + batch]
            if ub[cand[0]] < thr:
                break
            cand = cand[ub[cand] >= thr]
            frames, sqn, offs, lens = D.subset(cand)
            S = qf @ frames.T
            cost = np.empty(len(cand))
            length = np.empty(len(cand), dtype=np.int64)
            thr_k = thr - 1e-4 * (1 + abs(thr)) if np.isfinite(thr) else -np.inf
            dtw_candidates(S, qsq, sqn, m_code, n, offs, lens, bands.band_id,
                           bands.lo, bands.hi, agg, ks, thr_k, cost, length)
            n_dp += len(cand)
            sc = _scores_from(cost, length, metric, aggregate)
            all_s = np.concatenate([best_s, sc])
            all_i = np.concatenate([best_i, cand])
            top = np.lexsort((all_i, -all_s))[:k]
            best_s, best_i = all_s[top], all_i[top]
        out_s[qi, : len(best_s)] = best_s
        out_i[qi, : len(best_i)] = best_i
    return out_s, out_i, n_dp
