import numpy as np
import pytest
from tslearn.metrics import dtw_subsequence_path

from sklearn_skippose import PoseNormalizer
from sklearn_skippose.metrics import dtw_alignment, dtw_subsequence_search, pairwise_dtw_scores

from ._reference import local_cost, reference_dtw


def _classic_reference(query, seq, metric):
    """For every end frame e: the cheapest whole-query alignment over all
    starts b <= e (float64 plain Python), as (cost, path length, start)."""
    ks = 1.0 if metric == "cosine" else 0.0
    out = []
    for e in range(len(seq)):
        best = None
        for b in range(e + 1):
            stretch = seq[b : e + 1].tolist()
            cost = -reference_dtw(query.tolist(), stretch, metric, "cost")
            length = round(reference_dtw(query.tolist(), stretch, metric, "sum") + cost) \
                if ks else None
            key = (cost, -b)  # equal costs: the later start (a shorter path)
            if best is None or key < best[0]:
                best = (key, cost, length, b)
        out.append(best[1:])
    return out


def _bounded_pair(x, y, metric):
    """Plain DP with the steps (1, 1), (2, 1), (1, 2) from (0, 0) to the far
    corner of x against y: (cost, cells), (inf, 0) when no path joins them."""
    n, m, inf = len(x), len(y), float("inf")
    acc = [[(inf, 0)] * m for _ in range(n)]
    for i in range(n):
        for j in range(m):
            c = local_cost(x[i], y[j], metric)
            if i == 0 and j == 0:
                acc[i][j] = (c, 1)
                continue
            prev = [acc[i - di][j - dj] for di, dj in ((1, 1), (2, 1), (1, 2))
                    if i - di >= 0 and j - dj >= 0]
            cost, length = min(prev, default=(inf, 0))
            acc[i][j] = (cost + c, length + 1)
    return acc[n - 1][m - 1]


def _bounded_reference(query, seq, metric):
    """The same with the steps (1, 1), (2, 1), (1, 2): a plain DP from
    (0, b) for every start b; (inf, 0, None) where no path ends."""
    out = []
    for e in range(len(seq)):
        best = (float("inf"), 0, None)
        for b in range(e + 1):
            cost, length = _bounded_pair(query, seq[b : e + 1], metric)
            if cost < best[0]:
                best = (cost, length, b)
        out.append(best)
    return out


@pytest.mark.parametrize("steps", ["bounded", "classic"])
@pytest.mark.parametrize("n", [1, 2, 3, 7])
def test_short_and_long_queries_match_the_reference(rng, n, steps):
    query = rng.normal(size=(n, 2))
    seq = rng.normal(size=(11, 2))
    m = dtw_subsequence_search(query, [seq], n_matches=1, aggregate="cost", steps=steps)
    reference = _bounded_reference if steps == "bounded" else _classic_reference
    ref = reference(query, seq, "cosine")
    np.testing.assert_allclose(-m.profile[0], [r[0] for r in ref], rtol=1e-10, atol=1e-12)
    starts = dtw_subsequence_search(query, [seq], n_matches=None, min_score=-100.0,
                                    min_gap=0, aggregate="cost", steps=steps)
    for b, e in zip(starts.start, starts.stop):  # every match reported starts where the
        assert b == ref[e - 1][2]                # reference's best path ending there does


@pytest.mark.parametrize("steps", ["bounded", "classic"])
@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_profile_matches_float64_reference(rng, metric, steps):
    query = rng.normal(size=(4, 3))
    seq = rng.normal(size=(14, 3))
    m = dtw_subsequence_search(query, [seq], n_matches=1, metric=metric, aggregate="cost",
                               steps=steps)
    reference = _bounded_reference if steps == "bounded" else _classic_reference
    ref = reference(query, seq, metric)
    np.testing.assert_allclose(-m.profile[0], [r[0] for r in ref], rtol=1e-10, atol=1e-12)
    if metric == "cosine":  # the mean score: the same path's mean similarity
        mean = dtw_subsequence_search(query, [seq], n_matches=1, metric=metric,
                                      steps=steps).profile[0]
        with np.errstate(invalid="ignore"):
            expected = [(length - cost) / length if length else -np.inf
                        for cost, length, _ in ref]
        np.testing.assert_allclose(mean, expected, rtol=1e-10, atol=1e-12)
    e = int(np.argmin([r[0] for r in ref]))
    assert m.stop[0] == e + 1 and m.start[0] == ref[e][2]
    assert m.sequence[0] == 0
    if steps == "bounded":  # a path advances at least (4 - 1) / 2 frames
        assert np.all(m.profile[0, :2] == -np.inf) and np.isfinite(m.profile[0, 2:]).all()


def test_bounded_matches_last_between_half_and_twice_the_query(rng):
    query = rng.normal(size=(9, 3))
    X = [rng.normal(size=(150, 3)), rng.normal(size=(4, 3))]
    m = dtw_subsequence_search(query, X, n_matches=None, min_score=-1.0, min_gap=0)
    assert len(m.score) > 10 and 1 not in m.sequence  # 4 frames cannot hold 9 / 2
    steps = m.stop - m.start - 1  # frames advanced in the sequence
    assert np.all((steps >= (len(query) - 1) / 2) & (steps <= 2 * (len(query) - 1)))
    assert np.all(m.path_length <= len(query) - 1 + 1)  # every step advances the query
    classic = dtw_subsequence_search(query, X, n_matches=None, min_score=-1.0, min_gap=0,
                                     steps="classic")
    assert (classic.stop - classic.start).min() < (len(query) - 1) / 2 + 1


def test_best_match_is_tslearns_subsequence_path(rng):
    query = rng.normal(size=(6, 4))
    seq = rng.normal(size=(60, 4))
    path, dist = dtw_subsequence_path(query, seq)
    m = dtw_subsequence_search(query, [seq], n_matches=1, metric="euclidean",
                               aggregate="cost", steps="classic")
    assert m.cost[0] == pytest.approx(dist**2, rel=1e-9)
    assert (m.start[0], m.stop[0]) == (path[0][1], path[-1][1] + 1)
    assert m.path_length[0] == len(path)


def test_match_score_is_the_pairwise_score_of_the_stretch(rng):
    query = rng.normal(size=(7, 5))
    X = [rng.normal(size=(n, 5)) for n in (30, 45, 12)]
    m = dtw_subsequence_search(query, X, n_matches=4, steps="classic")
    for s, b, e, score in zip(m.sequence, m.start, m.stop, m.score):
        pair = pairwise_dtw_scores(query[None], X[s][b:e][None], aggregate="mean")
        assert score == pytest.approx(pair[0, 0], abs=1e-5)  # pairwise: float32 products


def test_finds_a_time_warped_copy_among_sequences(rng):
    motion = np.cumsum(rng.normal(size=(20, 6)), axis=0)
    reps = rng.integers(1, 3, size=20)
    reps[[0, -1]] = 1  # a repeated end frame would let the match begin or end on either copy
    warped = np.repeat(motion, reps, axis=0)  # slowed down in places
    X = [np.cumsum(rng.normal(size=(80, 6)), axis=0) for _ in range(5)]
    X[3] = np.concatenate([X[3][:37], warped + 0.01 * rng.normal(size=warped.shape),
                           X[3][37:]])
    m = dtw_subsequence_search(motion, X, n_matches=3, metric="euclidean")
    assert m.sequence[0] == 3
    assert m.start[0] == 37 and m.stop[0] == 37 + len(warped)
    assert np.all(np.diff(m.score) <= 0)


def test_pose_arrays_are_read_as_frames(rng):
    poses = rng.normal(size=(40, 15, 2))
    flat = poses.reshape(40, 30)
    a = dtw_subsequence_search(poses[5:15], [poses], n_matches=2)
    b = dtw_subsequence_search(flat[5:15], [flat], n_matches=2)
    for key in ("start", "stop", "score"):
        np.testing.assert_array_equal(a[key], b[key])
    assert (a.start[0], a.stop[0]) == (5, 15)


def test_padding_lists_and_sequence_order_give_the_same_matches(rng):
    query = rng.normal(size=(5, 3))
    seqs = [rng.normal(size=(n, 3)) for n in (25, 40, 18)]
    padded = np.full((3, 40, 3), np.nan)
    for i, s in enumerate(seqs):
        padded[i, : len(s)] = s
    a = dtw_subsequence_search(query, seqs, n_matches=6)
    b = dtw_subsequence_search(query[None], padded, n_matches=6)
    for key in ("sequence", "start", "stop", "score", "cost", "path_length"):
        np.testing.assert_array_equal(a[key], b[key])
    np.testing.assert_array_equal(a.profile, b.profile)
    assert np.isnan(a.profile[0, 25:]).all() and not np.isnan(a.profile[1]).any()
    # each sequence alone gives its own profile: sequences do not interact
    for i, s in enumerate(seqs):
        alone = dtw_subsequence_search(query, [s], n_matches=1).profile[0]
        np.testing.assert_array_equal(alone, a.profile[i, : len(s)])


@pytest.mark.parametrize("min_gap", [0, 3, 10])
def test_matches_keep_their_distance(rng, min_gap):
    query = rng.normal(size=(6, 3))
    X = [rng.normal(size=(120, 3)), rng.normal(size=(90, 3))]
    m = dtw_subsequence_search(query, X, n_matches=None, min_score=-1.0, min_gap=min_gap)
    assert len(m.score) > 3
    assert np.all(np.diff(m.score) <= 0)
    for s in (0, 1):
        spans = sorted(zip(m.start[m.sequence == s], m.stop[m.sequence == s]))
        for (_, e1), (b2, _) in zip(spans, spans[1:]):
            assert b2 - e1 >= min_gap
    # greedy: no skipped candidate could have been taken
    rest = dtw_subsequence_search(query, X, n_matches=len(m.score) + 1, min_score=-1.0,
                                  min_gap=min_gap)
    assert len(rest.score) == len(m.score)


def test_min_score_and_n_matches(rng):
    query = rng.normal(size=(5, 4))
    X = rng.normal(size=(4, 50, 4))
    every = dtw_subsequence_search(query, X, n_matches=None, min_score=-1.0)
    top = dtw_subsequence_search(query, X, n_matches=3)
    np.testing.assert_array_equal(top.score, every.score[:3])
    cut = every.score[5]
    above = dtw_subsequence_search(query, X, n_matches=None, min_score=cut)
    np.testing.assert_array_equal(above.score, every.score[:6])  # boundary included
    none = dtw_subsequence_search(query, X, min_score=1.5)
    assert none.score.shape == (0,) and none.profile.shape == (4, 50)


def test_default_gap_drops_fragments_next_to_a_match():
    t = np.linspace(0, 4 * np.pi, 80)
    rec = np.c_[np.cos(t), np.sin(t)]
    m = dtw_subsequence_search(rec[20:30], [rec], n_matches=3, steps="classic")
    assert [(b, e) for b, e in zip(m.start[:2], m.stop[:2])] == [(20, 30), (59, 69)]
    assert m.score[0] == pytest.approx(1.0)
    assert m.stop[2] <= 20 - 5 or m.start[2] >= 30 + 5  # half the query's length away
    close = dtw_subsequence_search(rec[20:30], [rec], n_matches=3, min_gap=0,
                                   steps="classic")
    # the whole query squeezed onto one frame right before the first match
    assert (close.start[2], close.stop[2]) == (19, 20)


def test_finds_a_real_clip_inside_concatenated_clips(jhmdb):
    clips = PoseNormalizer(mode="first_pose_isotropic").fit_transform(jhmdb.data[:6])
    lengths = (~np.isnan(clips).all(axis=2)).sum(axis=1)
    parts = [np.nan_to_num(c[:n]) for c, n in zip(clips, lengths)]
    recording = np.concatenate(parts)
    m = dtw_subsequence_search(parts[4], [recording], n_matches=1)
    begin = int(lengths[:4].sum())
    assert (m.start[0], m.stop[0]) == (begin, begin + lengths[4])
    assert m.score[0] == pytest.approx(1.0)


def test_bad_input(rng):
    q = rng.normal(size=(4, 3))
    X = rng.normal(size=(2, 10, 3))
    with pytest.raises(ValueError, match="same number of features"):
        dtw_subsequence_search(q, rng.normal(size=(2, 10, 4)))
    with pytest.raises(ValueError, match="one sequence"):
        dtw_subsequence_search(rng.normal(size=(2, 4, 3)), X)
    with pytest.raises(ValueError, match="one sequence"):
        dtw_subsequence_search(np.ones(3), X)
    with pytest.raises(ValueError, match=r"pass \[recording\]"):
        dtw_subsequence_search(q, X[0])  # one recording as a 2D array
    with pytest.raises(ValueError, match=r"X holds no sequences \(shape \(0, 10, 3\)\)"):
        dtw_subsequence_search(q, X[:0])
    with pytest.raises(TypeError, match="query must be an array-like of numbers, got str"):
        dtw_subsequence_search("walk", X)
    # the query's own faults are the query's, not X's
    with pytest.raises(ValueError, match="query must hold real numbers"):
        dtw_subsequence_search(q.astype(complex), X)
    with pytest.raises(TypeError, match="query must hold numbers, got an array of dtype object"):
        dtw_subsequence_search(q.astype(object), X)
    with pytest.raises(ValueError, match="'sum' score"):
        dtw_subsequence_search(q, X, aggregate="sum")
    with pytest.raises(ValueError, match="steps must be"):
        dtw_subsequence_search(q, X, steps="itakura")
    with pytest.raises(ValueError, match="metric"):
        dtw_subsequence_search(q, X, metric="manhattan")
    with pytest.raises(ValueError, match="n_matches must be >= 1"):
        dtw_subsequence_search(q, X, n_matches=0)
    with pytest.raises(TypeError, match="n_matches must be an integer"):
        dtw_subsequence_search(q, X, n_matches=2.0)
    with pytest.raises(TypeError, match="n_matches must be an integer"):
        dtw_subsequence_search(q, X, n_matches=True)
    with pytest.raises(ValueError, match="give min_score"):
        dtw_subsequence_search(q, X, n_matches=None)
    with pytest.raises(ValueError, match="min_score must be finite"):
        dtw_subsequence_search(q, X, min_score=np.nan)
    with pytest.raises(TypeError, match="min_score must be a real number"):
        dtw_subsequence_search(q, X, min_score="0.5")
    with pytest.raises(ValueError, match="min_gap must be >= 0"):
        dtw_subsequence_search(q, X, min_gap=-1)
    bad = q.copy()
    bad[1, 0] = np.nan
    with pytest.raises(ValueError, match="inside real frames"):
        dtw_subsequence_search(bad, X)
    bad_x = X.copy()
    bad_x[0, 2, 1] = np.inf
    with pytest.raises(ValueError, match="inside real frames"):
        dtw_subsequence_search(q, bad_x)
    with pytest.raises(ValueError, match="no real frame"):
        dtw_subsequence_search(np.full((3, 3), np.nan), X)


@pytest.mark.parametrize("steps", ["bounded", "classic"])
@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_blocks_of_frames_give_the_same_profile(rng, metric, steps):
    from sklearn_skippose.metrics._dtw import PackedSequences
    from sklearn_skippose.metrics._subsequence import subsequence_profile

    query = rng.normal(size=(6, 4))
    X = [rng.normal(size=(n, 4)) for n in (33, 5, 1, 70, 12)]
    lengths = np.array([len(x) for x in X])
    X3 = np.full((5, 70, 4), np.nan)
    for i, x in enumerate(X):
        X3[i, : len(x)] = x
    Q = PackedSequences(query[None], [6], metric, dtype=np.float64)
    D = PackedSequences(X3, lengths, metric, dtype=np.float64)
    whole = subsequence_profile(Q, D, metric, steps, block_frames=10_000)
    for block in (1, 4, 7, 32, 69):  # pieces split across blocks, several per block
        parts = subsequence_profile(Q, D, metric, steps, block_frames=block)
        # the matrix product's rounding depends on the block (1e-15)
        np.testing.assert_allclose(parts[0], whole[0], rtol=1e-12)
        for w, p in zip(whole[1:], parts[1:]):  # path lengths and starts
            np.testing.assert_array_equal(w, p)


@pytest.mark.parametrize("n_matches", [1, 3, None])
@pytest.mark.parametrize("min_score", [None, 0.5])
def test_candidate_order_is_a_full_sort(rng, n_matches, min_score):
    # the head of 64 * n_matches is sorted first, the rest after: together
    # the order of a full stable sort (ties, many here, by index)
    from sklearn_skippose.metrics._subsequence import _best_first

    score = rng.integers(0, 20, size=1000) / 19
    expected = np.argsort(-score, kind="stable")
    if min_score is not None:
        expected = expected[score[expected] >= min_score]
    got = np.fromiter(_best_first(score, n_matches, min_score), dtype=np.int64)
    np.testing.assert_array_equal(got, expected)


def test_bad_recordings_in_a_list(rng):
    q = rng.normal(size=(4, 3))
    good = rng.normal(size=(20, 3))
    inner = good.copy()
    inner[5, 1] = np.nan
    with pytest.raises(ValueError, match=r"X\[1\] has NaN or infinite values inside"):
        dtw_subsequence_search(q, [good, inner, good[:7]])
    infinite = good.copy()
    infinite[-1, 0] = np.inf
    with pytest.raises(ValueError, match=r"X\[2\] has NaN or infinite values inside"):
        dtw_subsequence_search(q, [good, good[:7], infinite])
    with pytest.raises(ValueError, match=r"X\[1\] has no real frame"):
        dtw_subsequence_search(q, [good, np.full((5, 3), np.nan)])
    with pytest.raises(ValueError, match="same number of features"):
        dtw_subsequence_search(q, [good, rng.normal(size=(7, 4))])
    with pytest.raises(TypeError, match=r"X\[0\] must hold numbers"):
        dtw_subsequence_search(q, [np.array([["a", "b", "c"]]), good[:3]])
    with pytest.raises(ValueError, match="Sequence 1 has 1 dimensions"):
        dtw_subsequence_search(q, [good, np.ones(3)])
    padded = np.vstack([good, np.full((4, 3), np.nan)])  # trailing padding is dropped
    a = dtw_subsequence_search(q, [padded, good[:9]], n_matches=3)
    b = dtw_subsequence_search(q, [good, good[:9]], n_matches=3)
    np.testing.assert_array_equal(a.score, b.score)
    assert a.profile.shape == (2, 20)


@pytest.mark.parametrize("steps", ["bounded", "classic"])
@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_dtw_alignment_gives_the_path_of_a_match(rng, steps, metric):
    query = rng.normal(size=(8, 3))
    X = [rng.normal(size=(60, 3)), rng.normal(size=(45, 3))]
    m = dtw_subsequence_search(query, X, n_matches=6, steps=steps, metric=metric)
    for s, b, e, score, cost, cells in zip(m.sequence, m.start, m.stop, m.score, m.cost,
                                           m.path_length):
        a = dtw_alignment(query, X[s][b:e], steps=steps, metric=metric, aggregate="mean")
        assert a.cost == pytest.approx(cost, rel=1e-9, abs=1e-12)
        assert a.score == pytest.approx(score, rel=1e-9, abs=1e-12)
        assert len(a.path) == cells
        assert a.path[0].tolist() == [0, 0] and a.path[-1].tolist() == [7, e - b - 1]
        steps_taken = {tuple(d) for d in np.diff(a.path, axis=0)}
        allowed = ({(1, 1), (2, 1), (1, 2)} if steps == "bounded"
                   else {(1, 1), (1, 0), (0, 1)})
        assert steps_taken <= allowed


def test_bounded_alignment_matches_the_reference(rng):
    x = rng.normal(size=(6, 3))
    for m in (4, 6, 9, 11):  # 4: the shortest a path of these steps can reach; 11: the longest
        y = rng.normal(size=(m, 3))
        ref_cost, ref_cells = _bounded_pair(x, y, "cosine")
        a = dtw_alignment(x, y, steps="bounded", aggregate="cost")
        assert a.cost == pytest.approx(ref_cost, rel=1e-12) and len(a.path) == ref_cells
    for m in (2, 3, 12):  # beyond half and twice the query's length: no path
        far = dtw_alignment(x, rng.normal(size=(m, 3)), steps="bounded")
        assert far.path.shape == (0, 2) and far.score == -np.inf
    with pytest.raises(ValueError, match="steps must be"):
        dtw_alignment(x, x, steps="slope")
    with pytest.raises(ValueError, match="global_constraint applies to the classic steps"):
        dtw_alignment(x, x, steps="bounded", global_constraint="sakoe_chiba")
