"""Search for a short motion inside long recordings (subsequence DTW).

:func:`pairwise_dtw_scores` aligns whole sequences with whole sequences. To
find *where* a motion happens in a long recording, the alignment must be
free to start and end anywhere in the recording: subsequence DTW (open
begin, open end) aligns the whole query with the best-matching stretch of
the recording ending at every frame, in one pass over the recording. The
stretch is chosen by the accumulated cost, as DTW chooses paths; it is then
scored like the package's other DTW scores (see :mod:`._dtw`), and the best
non-overlapping stretches are returned.
"""

from numbers import Real

import numpy as np
from sklearn.utils import Bunch

from ..utils._sequences import (_as_float_array, _frames_2d, check_bool_param,
                                check_int_param, sequence_lengths)
from ._dtw import PackedSequences, _as_dataset, _scores_from, _single_threaded_blas
from ._dtw_kernels import subsequence_dtw, subsequence_dtw_bounded

__all__ = ["dtw_subsequence_search"]

_BLOCK_BYTES = 32 * 2**20

_AGGREGATES = ("mean", "cost")


def dtw_subsequence_search(query, X, n_matches=5, *, min_score=None, min_gap=None,
                           steps="bounded", metric="cosine", aggregate="mean",
                           return_profile=True):
    """Best-matching stretches of long sequences for a query (subsequence DTW).

    Every frame ``e`` of every sequence of ``X`` ends one candidate match:
    the stretch ``X[s, b:e + 1]`` whose DTW alignment with the *whole*
    query costs least over all starts ``b`` (open-begin, open-end DTW,
    computed in one pass over each sequence). Candidates are ranked by
    their score and taken best first, skipping any that comes closer than
    ``min_gap`` frames to a stretch already taken in the same sequence, so a
    motion that lasts a while is reported once and not at every frame near
    its end.

    Run it on embedded sequences (an embedder's ``transform`` of the query
    and of the recordings) as on poses: with a window embedder, match frame
    ``t`` stands for the window of poses ``t .. t + window - 1``.

    Parameters
    ----------
    query : array-like of shape (n_frames, n_features)
        The motion to look for (trailing all-NaN frames are dropped); a
        single sequence ``(1, n_frames, n_features)`` and poses
        ``(n_frames, n_joints, 2)`` are accepted too.
    X : array-like of shape (n_sequences, max_frames, n_features)
        The sequences searched, NaN-padded, or a list of ``(T_i, n_features)``
        or ``(T_i, n_joints, 2)`` arrays of any lengths (one recording:
        ``[recording]``).
    n_matches : int or None, default=5
        Most matches returned. None returns every non-overlapping match
        reaching ``min_score``, which must then be given.
    min_score : float, default=None
        Lowest score returned (the boundary included); no threshold when
        None.
    min_gap : int, default=None
        Fewest frames between two matches of one sequence (0: they may touch
        but not overlap). None uses half the query's length, which keeps the
        same motion found again a few frames earlier or later out of the
        results.
    steps : {"bounded", "classic"}, default="bounded"
        The steps a path may take. ``"bounded"``: (1, 1), (2, 1) and
        (1, 2), every step advancing both sequences (Müller's step sizes for
        audio matching), so a match lasts between about half and twice the
        query's length. ``"classic"``: (1, 1), (1, 0) and (0, 1), the steps
        of :func:`pairwise_dtw_scores` and tslearn's
        ``dtw_subsequence_path``; a stretch of any length, down to a single
        frame, may then absorb the whole query, which a mostly still query
        does against any still stretch.
    metric : {"cosine", "euclidean"}, default="cosine"
        Local similarity between time steps, as in
        :func:`pairwise_dtw_scores`.
    aggregate : {"mean", "cost"}, default="mean"
        Score of a match: the mean local similarity along its path (for the
        cosine metric, 1 is a perfect match), or minus the accumulated cost.
        :func:`pairwise_dtw_scores`' ``"sum"`` is not offered: it grows with
        the path length and would favour long, poor matches.
    return_profile : bool, default=True
        Whether to return the matching ``profile``. It is padded to the
        longest sequence: for many sequences of very different lengths
        (thousands of clips beside an hour-long recording) it can take far
        more memory than the sequences themselves; False returns None
        instead.

    Returns
    -------
    matches : :class:`~sklearn.utils.Bunch`
        Arrays of one entry per match, best first:

        - ``sequence``: index of the sequence in ``X``;
        - ``start``, ``stop``: the match is ``X[sequence, start:stop]``;
        - ``score``: higher is more similar;
        - ``cost``: accumulated local cost along the path;
        - ``path_length``: cells on the path (classic steps: at least the
          longer of the query and the match; bounded steps: at most the
          query's length, as every step advances the query).

        and ``profile``, of shape (n_sequences, max_frames): the score of the
        best match ending at every frame (a matching profile to plot beside
        the recording), ``-inf`` where no match can end (with ``"bounded"``
        steps, the first frames of a sequence), NaN on padding; None when
        ``return_profile`` is False.
        ``dtw_alignment(query, X[sequence, start:stop], steps=steps)``
        gives a match's similarity map and path.

    See Also
    --------
    pairwise_dtw_scores : Whole sequences against whole sequences.
    dtw_alignment : Path and similarity map of one pair.

    Notes
    -----
    The similarities of the query's frames with the sequences' come from one
    float64 matrix product per block of about 32 MB of frames, and the
    dynamic programme carries its last columns from block to block, so
    memory stays bounded however long the sequences are; the pieces of
    sequences in a block are searched in parallel (numba's threads). The
    band constraints of :func:`pairwise_dtw_scores` are not offered: a band
    around the diagonal needs the match's length, which is not known
    beforehand (``"bounded"`` steps limit the slope instead). A cosine local
    cost is clipped at 0 (rounding can make ``1 - cos`` slightly negative),
    which keeps the open begin exact.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_skippose.metrics import dtw_subsequence_search
    >>> t = np.linspace(0, 4 * np.pi, 80)
    >>> recording = np.c_[np.cos(t), np.sin(t)]
    >>> query = recording[20:30]
    >>> m = dtw_subsequence_search(query, [recording], n_matches=1)
    >>> int(m.start[0]), int(m.stop[0]), round(float(m.score[0]), 3)
    (20, 30, 1.0)
    """
    check_search_params(steps, metric, aggregate)
    Q = check_query(query, metric)
    D = pack_recordings(X, metric)
    _check_same_features(Q, D)
    return search(Q, D, n_matches, min_score, min_gap, steps, metric, aggregate,
                  return_profile)


def search(Q, D, n_matches, min_score, min_gap, steps, metric, aggregate,
           return_profile=True):
    """The search on a checked query ``Q`` and packed sequences ``D``."""
    check_bool_param(return_profile, "return_profile")
    n_matches, min_score = _check_selection(n_matches, min_score)
    if min_gap is None:
        min_gap = len(Q.frames) // 2
    min_gap = check_int_param(min_gap, "min_gap", minimum=0)
    cost, cells, start = subsequence_profile(Q, D, metric, steps)
    score = _scores_from(cost, cells, metric, aggregate)

    seq = np.repeat(np.arange(len(D)), D.lengths)
    stop = np.arange(len(cost)) - np.repeat(D.offsets, D.lengths) + 1
    profile = None
    if return_profile:
        profile = np.full((len(D), D.lengths.max()), np.nan)
        profile[seq, stop - 1] = score

    keep = _separated(seq, start, stop, score, n_matches, min_score, min_gap, D)
    return Bunch(sequence=seq[keep], start=start[keep], stop=stop[keep], score=score[keep],
                 cost=cost[keep], path_length=cells[keep], profile=profile)


def subsequence_profile(Q, D, metric, steps="bounded", block_frames=None):
    """Cost, path length and start of the best match ending at every frame.

    ``Q`` holds the one query, ``D`` the long sequences (float64
    :class:`PackedSequences`); the outputs are indexed like ``D.frames``.
    The similarities of the query's frames with ``block_frames`` of ``D``'s
    frames at a time (about 32 MB by default) come from one matrix product;
    the kernel carries the programme across blocks.
    """
    n = len(Q.frames)
    total = len(D.frames)
    if block_frames is None:
        block_frames = max(1, _BLOCK_BYTES // (8 * n))
    cost = np.empty(total)
    cells = np.empty(total, dtype=np.int64)
    start = np.empty(total, dtype=np.int64)
    ends = D.offsets + D.lengths
    qT = np.ascontiguousarray(Q.frames.T)  # a transposed view is 2x slower in BLAS
    width = min(block_frames, len(D))
    acc = np.empty((width, 2, n))  # the last one or two columns of every piece
    acc_cells = np.empty((width, 2, n), dtype=np.int64)
    acc_start = np.empty((width, 2, n), dtype=np.int64)
    code = 0 if metric == "cosine" else 1
    kernel = subsequence_dtw_bounded if steps == "bounded" else subsequence_dtw
    # one BLAS thread: numba's OpenMP threads keep spinning a while after each
    # kernel call and would slow a multi-threaded BLAS down twofold
    carry = None  # the state of the last piece of the previous block
    with _single_threaded_blas():
        for a in range(0, total, block_frames):
            b = min(total, a + block_frames)
            seqs = np.arange(np.searchsorted(ends, a, side="right"),
                             np.searchsorted(D.offsets, b, side="left"))
            lo = np.maximum(D.offsets[seqs], a)
            hi = np.minimum(ends[seqs], b)
            if a > 0 and lo[0] > D.offsets[seqs[0]]:  # continues the last block's piece
                acc[0], acc_cells[0], acc_start[0] = carry
            S = D.frames[a:b] @ qT
            kernel(S, Q.sqnorm, D.sqnorm[a:b], code, lo - a, lo - D.offsets[seqs], hi - lo,
                   acc, acc_cells, acc_start, cost[a:b], cells[a:b], start[a:b])
            last = len(seqs) - 1
            carry = (acc[last].copy(), acc_cells[last].copy(), acc_start[last].copy())
    return cost, cells, start


def _separated(seq, start, stop, score, n_matches, min_score, min_gap, D):
    """Candidates best first (ties: earlier sequence, then earlier end),
    skipping those closer than ``min_gap`` frames to one already taken."""
    # packed frames in a match taken or within min_gap of one
    blocked = np.zeros(len(seq), dtype=bool)
    keep = []
    for c in _best_first(score, n_matches, min_score):
        if n_matches is not None and len(keep) == n_matches:
            break
        o, n = D.offsets[seq[c]], D.lengths[seq[c]]
        if blocked[o + start[c] : o + stop[c]].any():
            continue
        blocked[o + max(start[c] - min_gap, 0) : o + min(stop[c] + min_gap, n)] = True
        keep.append(c)
    return np.asarray(keep, dtype=np.int64)


def _best_first(score, n_matches, min_score):
    """Candidate indices by decreasing score, ties by index (packed order is
    sequence, then end frame), those below ``min_score`` or with no
    admissible path left out.

    A few matches need only the head of that order: the best ``64 *
    n_matches`` candidates (and any tied with the last of them) are sorted
    first, and the rest only if the greedy selection gets through them.
    """
    idx = np.flatnonzero(np.isfinite(score))  # -inf: no admissible path ends there
    if min_score is not None:
        idx = idx[score[idx] >= min_score]
    head = len(idx) if n_matches is None else 64 * n_matches
    if head < len(idx):
        kth = np.partition(score[idx], len(idx) - head)[len(idx) - head]
        first = score[idx] >= kth
        top = idx[first]
        yield from top[np.argsort(-score[top], kind="stable")]
        idx = idx[~first]
    yield from idx[np.argsort(-score[idx], kind="stable")]


def check_search_params(steps, metric, aggregate):
    """Raise a clear error for an unknown ``steps``, ``metric`` or ``aggregate``."""
    if steps not in ("bounded", "classic"):
        raise ValueError(f"steps must be 'bounded' or 'classic', got {steps!r}.")
    if metric not in ("cosine", "euclidean"):
        raise ValueError(f"metric must be 'cosine' or 'euclidean', got {metric!r}.")
    if aggregate not in _AGGREGATES:
        raise ValueError(
            f"aggregate must be one of {_AGGREGATES}, got {aggregate!r} (the 'sum' "
            "score grows with the path length, which would favour long matches)."
        )


def check_query(query, metric):
    """One query sequence as float64 :class:`PackedSequences` (padding dropped)."""
    q = _as_float_array(query, np.float64, "query")  # numbers, real ones
    if q.ndim == 3 and q.shape[0] == 1:
        q = q[0]
    elif q.ndim == 3 and q.shape[2] == 2:  # (n_frames, n_joints, 2) poses
        q = q.reshape(q.shape[0], -1)
    if q.ndim != 2:
        raise ValueError(
            f"query must be one sequence of shape (n_frames, n_features), got an "
            f"array of shape {q.shape}."
        )
    q3, q_len = _as_dataset(q[None], "query")
    q = q3[0, : q_len[0]]
    return PackedSequences.from_frames(q, [len(q)], metric, dtype=np.float64)


def pack_recordings(X, metric):
    """The sequences searched as float64 :class:`PackedSequences` (a copy:
    nothing is shared with ``X``).

    A list of recordings of very different lengths is validated and packed
    one by one, never padded to the longest.
    """
    if isinstance(X, (list, tuple)) and len(X) and not _regular(X):
        frames = [_real_frames(x, i) for i, x in enumerate(X)]
        n_feat = {f.shape[1] for f in frames}
        if len(n_feat) != 1:
            raise ValueError(
                "All sequences must have the same number of features per frame; "
                f"got {sorted(n_feat)}."
            )
        lengths = np.array([len(f) for f in frames])
        packed = np.concatenate(frames)  # always a new array: normalised in place
        bad = ~np.isfinite(packed).all(axis=1)
        if bad.any():
            i = int(np.searchsorted(np.cumsum(lengths), np.flatnonzero(bad)[0], side="right"))
            raise ValueError(
                f"X[{i}] has NaN or infinite values inside real frames; only trailing "
                "all-NaN frames (padding) are allowed. Missing keypoints can be "
                "filled in first with KeypointInterpolator, or the sequences embedded "
                "(the embedders mask them)."
            )
        return PackedSequences.from_frames(packed, lengths, metric, dtype=np.float64,
                                           copy=False)
    if np.ndim(X) == 2:
        raise ValueError(
            "X must be a set of sequences: a 3D array (n_sequences, max_frames, "
            "n_features) or a list of (n_frames, n_features) arrays; got a 2D "
            f"array of shape {np.shape(X)}. To search one recording, pass "
            "[recording]."
        )
    X3, lengths = _as_dataset(X, "X")
    if len(X3) == 0:
        raise ValueError(
            f"X holds no sequences (shape {X3.shape}); at least one recording is needed "
            "to search in."
        )
    return PackedSequences(X3, lengths, metric, dtype=np.float64)


def _check_same_features(Q, D):
    if Q.frames.shape[1] != D.frames.shape[1]:
        raise ValueError(
            f"query and the sequences searched (X) must have the same number of "
            f"features per frame; got "
            f"{Q.frames.shape[1]} and {D.frames.shape[1]}."
        )


def _real_frames(x, i):
    """Recording ``i`` of a list as a float64 (n_frames, n_features) array
    without its trailing all-NaN frames (checked for the rest by the caller)."""
    a = _frames_2d(_as_float_array(x, np.float64, f"X[{i}]"), i)
    length = int(sequence_lengths(a[None])[0])
    if length == 0:
        raise ValueError(f"X[{i}] has no real frame (no frames, or all NaN).")
    return a[:length]


def _regular(X):
    """Whether a list spells one regular array (then it is read as that array)."""
    try:
        return np.asarray(X).dtype != object
    except ValueError:
        return False


def _check_selection(n_matches, min_score):
    if n_matches is not None:
        n_matches = check_int_param(n_matches, "n_matches")
    if min_score is not None:
        if isinstance(min_score, bool) or not isinstance(min_score, Real):
            raise TypeError(f"min_score must be a real number or None, got {min_score!r}.")
        if not np.isfinite(min_score):
            raise ValueError(f"min_score must be finite, got {min_score!r}.")
        min_score = float(min_score)
    if n_matches is None and min_score is None:
        raise ValueError(
            "n_matches=None returns every match above min_score; give min_score "
            "too (or an integer n_matches)."
        )
    return n_matches, min_score
