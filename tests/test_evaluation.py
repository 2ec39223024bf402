import json

import pytest

from sklearn_skippose import SkipPoseEmbedder
from sklearn_skippose.__main__ import main
from sklearn_skippose.evaluation import evaluate_jhmdb, format_table, make_method


def test_end_to_end_small_subset(data_home, tmp_path, capsys):
    """The evaluate command on three classes of split 1: files and table."""
    rc = main(["evaluate", "--data-home", str(data_home), "--methods", "pca,skippose",
               "--splits", "1", "--window", "2", "--n-components", "8", "--max-epochs", "2",
               "--classes", "clap,golf,pullup,wave", "--output", str(tmp_path)])
    assert rc == 0
    out = capsys.readouterr().out
    assert "pca" in out and "skippose" in out and "split 1 acc/AP" in out
    res = json.loads((tmp_path / "results.json").read_text())
    assert {r["method"] for r in res["results"]} == {"pca", "skippose"}
    assert all(0 <= r["accuracy"] <= 1 and 0 <= r["macro_ap"] <= 1 for r in res["results"])
    assert 20 < res["results"][0]["n_test"] < 268  # four classes of split 1
    pca, sp = sorted(res["results"], key=lambda r: r["method"])
    assert pca["history"] is None and pca["best_epoch"] is None
    assert [h["epoch"] for h in sp["history"]] == list(range(1, sp["epochs"] + 1))
    losses = [h["valid_loss"] for h in sp["history"]]  # early stopping keeps the best
    assert losses[sp["best_epoch"] - 1] == min(losses)
    assert [h["best"] for h in sp["history"]].count(True) >= 1
    assert (tmp_path / "results.png").stat().st_size > 0
    assert (tmp_path / "similarity_map.png").stat().st_size > 0


def test_evaluate_function_on_classes(data_home):
    res = evaluate_jhmdb(data_home, methods=["pca"], splits=[1, 2],
                         classes=["clap", "golf", "pullup"], verbose=False)
    assert len(res["results"]) == 2
    assert res["mean"]["pca"]["accuracy"] > 1 / 3  # better than chance on 3 classes
    table = format_table(res)
    assert "split 2" in table and "pca" in table
    assert res["settings"]["normalize"] == "first_pose_isotropic"


def test_results_record_their_environment_and_data(data_home):
    import hashlib
    from datetime import datetime

    import numpy as np
    import sklearn

    import sklearn_skippose
    from sklearn_skippose.datasets import load_jhmdb

    classes = ["clap", "golf"]
    res = evaluate_jhmdb(data_home, methods=["pca"], splits=[1], classes=classes,
                         verbose=False)
    env = json.loads(json.dumps(res))["environment"]  # what results.json holds
    assert env["versions"]["sklearn_skippose"] == sklearn_skippose.__version__
    assert env["versions"]["scikit-learn"] == sklearn.__version__
    assert env["wall_seconds"] >= 0 and env["cpu"]
    assert datetime.fromisoformat(env["started_utc"]).utcoffset().total_seconds() == 0
    data = load_jhmdb(data_home, classes=classes).data  # the fingerprint, recomputed
    assert env["data_sha256"] == hashlib.sha256(
        np.ascontiguousarray(data, dtype=np.float64).tobytes()).hexdigest()
    other = evaluate_jhmdb(data_home, methods=["pca"], splits=[1],
                           classes=["clap", "pullup"], verbose=False)
    assert other["environment"]["data_sha256"] != env["data_sha256"]


def test_normalize_reaches_augmentation():
    """The mocap projections are normalised like the real clips."""
    emb = make_method("skippose-aug", normalize="sequence_bbox", augment=10)
    assert emb.augmentation.normalizer_mode == "sequence_bbox"
    assert emb.jitter is not None  # on by default
    assert make_method("skippose-aug", jitter=False, augment=10).jitter is None
    assert make_method("skippose").jitter is None  # jitter belongs to the augmented row


def test_bad_arguments(data_home):
    with pytest.raises(ValueError, match="Unknown method"):
        make_method("lstm-vae")
    with pytest.raises(ValueError, match="splits"):
        evaluate_jhmdb(data_home, methods=["pca"], splits=[4], verbose=False)
    with pytest.raises(ValueError, match="classes"):
        evaluate_jhmdb(data_home, methods=["pca"], classes=["fly"], verbose=False)
    with pytest.raises(ValueError, match="scale must be one of"):
        evaluate_jhmdb(data_home, methods=["pca"], scale="zscore", verbose=False)
    with pytest.raises(ValueError, match="normalize must be one of"):
        evaluate_jhmdb(data_home, methods=["pca"], normalize="zscore", verbose=False)
    with pytest.raises(TypeError, match="mirror must be True or False"):
        evaluate_jhmdb(data_home, methods=["pca"], mirror="no", verbose=False)
    with pytest.raises(TypeError, match="jitter must be True or False"):
        evaluate_jhmdb(data_home, methods=["pca"], jitter="off", verbose=False)
    with pytest.raises(TypeError, match="jitter must be True or False, got 'no'"):
        make_method("skippose-aug", jitter="no")  # a non-empty string is not "yes"
    with pytest.raises(TypeError, match="verbose must be True or False, got 'quiet'"):
        evaluate_jhmdb(data_home, methods=["pca"], verbose="quiet")
    with pytest.raises(TypeError, match="save_embedders must be True or False, got 1"):
        evaluate_jhmdb(data_home, methods=["pca"], save_embedders=1, verbose=False)
    with pytest.raises(SystemExit):
        main(["evaluate", "--normalize", "zscore"])
    with pytest.raises(SystemExit):
        main(["evaluate", "--methods", "nope"])
    with pytest.raises(SystemExit):
        main(["evaluate", "--scale", "zscore"])


@pytest.mark.parametrize("mirror", [False, True])
def test_mirrored_dictionary_matches_by_hand(data_home, mirror):
    """``mirror=True`` registers the mirrored training clips, labels repeated."""
    import numpy as np
    from sklearn.pipeline import make_pipeline

    from sklearn_skippose import (
        DTWNearestNeighbors,
        PCAEmbedder,
        PoseNormalizer,
        SequenceWhitener,
        mirror_poses,
    )
    from sklearn_skippose.datasets import load_jhmdb
    from sklearn_skippose.metrics import mean_per_class_accuracy

    classes = ["clap", "golf", "pullup", "wave", "walk"]
    res = evaluate_jhmdb(data_home, methods=["pca"], splits=[1], classes=classes,
                         mirror=mirror, verbose=False)
    assert res["settings"]["mirror"] is mirror
    jh = load_jhmdb(data_home)
    keep = np.isin(jh.target_names[jh.target], classes)
    tr = keep & (jh.splits[:, 0] == 1)
    te = keep & (jh.splits[:, 0] == 2)
    feat = make_pipeline(PoseNormalizer(mode="first_pose_isotropic"), PCAEmbedder(window=4),
                         SequenceWhitener()).fit(jh.data[tr])
    D, yd = feat.transform(jh.data[tr]), jh.target[tr]
    if mirror:
        D = np.concatenate([D, feat.transform(mirror_poses(jh.data[tr]))])
        yd = np.concatenate([yd, yd])
    pred = DTWNearestNeighbors(aggregate="mean").fit(D, yd).predict(feat.transform(jh.data[te]))
    assert res["results"][0]["accuracy"] == pytest.approx(
        mean_per_class_accuracy(jh.target[te], pred))


def test_shrinkage_reaches_the_whitener(data_home, tmp_path, capsys):
    """``shrinkage`` (global, per method, or ``--set``) is the whitener's: the
    accuracy is the pipeline's by hand with that whitener, and not the default's."""
    import numpy as np
    from sklearn.pipeline import make_pipeline

    from sklearn_skippose import (DTWNearestNeighbors, PCAEmbedder, PoseNormalizer,
                                  SequenceWhitener)
    from sklearn_skippose.datasets import load_jhmdb
    from sklearn_skippose.metrics import mean_per_class_accuracy

    classes = ["clap", "golf", "pullup", "wave", "walk"]
    kw = dict(methods=["pca"], splits=[1], classes=classes, mirror=False, verbose=False)
    glob = evaluate_jhmdb(data_home, shrinkage=0.3, **kw)
    per = evaluate_jhmdb(data_home, method_settings={"pca": {"shrinkage": 0.3}}, **kw)
    jh = load_jhmdb(data_home)
    keep = np.isin(jh.target_names[jh.target], classes)
    tr, te = keep & (jh.splits[:, 0] == 1), keep & (jh.splits[:, 0] == 2)
    acc = {}
    for shrinkage in (1e-3, 0.3):
        feat = make_pipeline(PoseNormalizer(mode="first_pose_isotropic"), PCAEmbedder(window=4),
                             SequenceWhitener(shrinkage=shrinkage)).fit(jh.data[tr])
        knn = DTWNearestNeighbors(aggregate="mean").fit(feat.transform(jh.data[tr]),
                                                        jh.target[tr])
        acc[shrinkage] = mean_per_class_accuracy(jh.target[te],
                                                 knn.predict(feat.transform(jh.data[te])))
    assert acc[0.3] != pytest.approx(acc[1e-3])  # the setting matters here
    assert glob["results"][0]["accuracy"] == pytest.approx(acc[0.3])
    assert per["results"][0]["accuracy"] == pytest.approx(acc[0.3])
    assert glob["settings"]["shrinkage"] == 0.3 and per["settings"]["shrinkage"] == 1e-3
    assert per["method_settings"] == {"pca": {"shrinkage": 0.3}}
    assert main(["evaluate", "--data-home", str(data_home), "--methods", "pca", "--splits", "1",
                 "--classes", ",".join(classes), "--no-mirror", "--shrinkage", "0.3",
                 "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "whitened embeddings (shrinkage 0.3), DTW" in out
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["results"][0]["accuracy"] == pytest.approx(acc[0.3])
    with pytest.raises(ValueError, match="shrinkage must be a finite number >= 0"):
        evaluate_jhmdb(data_home, shrinkage=-0.1, **kw)
    with pytest.raises(TypeError, match="shrinkage must be a number"):
        evaluate_jhmdb(data_home, method_settings={"pca": {"shrinkage": "a lot"}}, **kw)


def test_center_reaches_the_pipeline(data_home, tmp_path, capsys):
    """``center`` (global, per method, or ``--center`` / ``--set``) subtracts that
    fraction of each clip's mean embedding after the whitener: the accuracy is the
    pipeline's by hand with a SequenceCenterer, and not the uncentred one's."""
    import numpy as np
    from sklearn.pipeline import make_pipeline

    from sklearn_skippose import (DTWNearestNeighbors, PCAEmbedder, PoseNormalizer,
                                  SequenceCenterer, SequenceWhitener)
    from sklearn_skippose.datasets import load_jhmdb
    from sklearn_skippose.metrics import mean_per_class_accuracy

    classes = ["clap", "golf", "pullup", "wave", "walk", "jump"]
    kw = dict(methods=["pca"], splits=[1], classes=classes, mirror=False, verbose=False)
    glob = evaluate_jhmdb(data_home, center=0.6, **kw)
    per = evaluate_jhmdb(data_home, method_settings={"pca": {"center": 0.6}}, **kw)
    jh = load_jhmdb(data_home)
    keep = np.isin(jh.target_names[jh.target], classes)
    tr, te = keep & (jh.splits[:, 0] == 1), keep & (jh.splits[:, 0] == 2)
    acc = {}
    for center in (0.0, 0.6):
        feat = make_pipeline(PoseNormalizer(mode="first_pose_isotropic"), PCAEmbedder(window=4),
                             SequenceWhitener(), SequenceCenterer(fraction=center)).fit(jh.data[tr])
        knn = DTWNearestNeighbors().fit(feat.transform(jh.data[tr]), jh.target[tr])
        acc[center] = mean_per_class_accuracy(jh.target[te],
                                              knn.predict(feat.transform(jh.data[te])))
    assert acc[0.6] != pytest.approx(acc[0.0])  # the setting matters here
    assert glob["results"][0]["accuracy"] == pytest.approx(acc[0.6])
    assert per["results"][0]["accuracy"] == pytest.approx(acc[0.6])
    assert glob["settings"]["center"] == 0.6 and per["settings"]["center"] == 0.0
    for argv in (["--center", "0.6"], ["--set", "pca:center=0.6"]):
        out_dir = tmp_path / argv[0].strip("-")
        assert main(["evaluate", "--data-home", str(data_home), "--methods", "pca", "--splits",
                     "1", "--classes", ",".join(classes), "--no-mirror", *argv,
                     "--output", str(out_dir)]) == 0
        res = json.loads((out_dir / "results.json").read_text())
        assert res["results"][0]["accuracy"] == pytest.approx(acc[0.6])
    assert "0.6 of each clip's mean embedding subtracted" in capsys.readouterr().out
    for bad, err in [(1.5, ValueError), (-0.1, ValueError), ("half", TypeError)]:
        with pytest.raises(err, match="fraction must be"):
            evaluate_jhmdb(data_home, center=bad, **kw)
    with pytest.raises(SystemExit, match="skippose evaluate: fraction must be in"):
        main(["evaluate", "--data-home", str(data_home), "--methods", "pca",
              "--set", "pca:center=2", "--output", str(tmp_path / "bad")])


def test_method_settings_match_separate_runs(data_home):
    """A per-method override gives what a run with that setting for everyone gives,
    and leaves the other methods alone."""
    classes = ["clap", "golf", "pullup"]
    kw = dict(splits=[1], classes=classes, n_components=8, max_epochs=1, verbose=False)
    both = evaluate_jhmdb(data_home, methods=["pca", "skippose"],
                          method_settings={"pca": {"window": 6, "n_neighbors": 3}}, **kw)
    pca = evaluate_jhmdb(data_home, methods=["pca"], window=6, n_neighbors=3, **kw)
    sp = evaluate_jhmdb(data_home, methods=["skippose"], **kw)
    acc = {r["method"]: r["accuracy"] for r in both["results"]}
    assert acc["pca"] == pytest.approx(pca["results"][0]["accuracy"])
    assert acc["skippose"] == pytest.approx(sp["results"][0]["accuracy"])
    assert both["method_settings"] == {"pca": {"window": 6, "n_neighbors": 3}}
    assert both["settings"]["window"] == 4
    table = format_table(both)
    assert "pca window=6 n_neighbors=3" in table
    json.dumps(both)  # serialisable


def test_method_settings_cli(data_home, tmp_path, capsys):
    rc = main(["evaluate", "--data-home", str(data_home), "--methods", "pca", "--splits", "1",
               "--classes", "clap,golf,pullup", "--set", "pca:window=6",
               "--set", "pca:n_neighbors=3", "--set", "pca:mirror=no",
               "--output", str(tmp_path)])
    assert rc == 0
    out = capsys.readouterr().out
    assert ("per-method settings: pca: window=6, n_neighbors=3, mirror=False (these replace "
            "the line above's values)") in out
    assert "pca window=6 n_neighbors=3 mirror=False" in out
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["method_settings"] == {"pca": {"window": 6, "n_neighbors": 3, "mirror": False}}


def test_method_settings_bad_input(data_home, tmp_path):
    kw = dict(methods=["pca"], splits=[1], classes=["clap", "golf"], verbose=False)
    with pytest.raises(ValueError, match="not among the methods"):
        evaluate_jhmdb(data_home, method_settings={"ae": {"window": 2}}, **kw)
    with pytest.raises(ValueError, match="unknown setting"):
        evaluate_jhmdb(data_home, method_settings={"pca": {"windw": 2}}, **kw)
    with pytest.raises(ValueError, match="window must be >= 1"):
        evaluate_jhmdb(data_home, method_settings={"pca": {"window": 0}}, **kw)
    with pytest.raises(ValueError, match="augment must be >= 0"):
        evaluate_jhmdb(data_home, augment=-1, **kw)
    assert evaluate_jhmdb(data_home, augment=0, **kw)["settings"]["augment"] == 0  # Figure 7
    with pytest.raises(ValueError, match="scale must be one of"):
        evaluate_jhmdb(data_home, method_settings={"pca": {"scale": "zscore"}}, **kw)
    with pytest.raises(TypeError, match="must be a dict"):
        evaluate_jhmdb(data_home, method_settings=[("pca", {})], **kw)
    with pytest.raises(TypeError, match="must be a dict"):
        evaluate_jhmdb(data_home, method_settings={"pca": 8}, **kw)
    with pytest.raises(ValueError, match="contrastive applies to the trained Skip-Pose methods"):
        evaluate_jhmdb(data_home, method_settings={"pca": {"contrastive": 0.1}}, **kw)
    with pytest.raises(ValueError, match="contrastive must be a non-negative number"):
        evaluate_jhmdb(data_home, contrastive=-1.0, **kw)
    for bad in ["pca", "pca:window", "pca:windw=3", "pca:window=x", "pca:mirror=maybe",
                "pca:contrastive=lots", "pca:shrinkage=lots"]:
        with pytest.raises(SystemExit):
            main(["evaluate", "--methods", "pca", "--set", bad])
    with pytest.raises(SystemExit, match="not in --methods"):
        main(["evaluate", "--data-home", str(data_home), "--methods", "pca",
              "--set", "ae:window=2", "--output", str(tmp_path)])
    with pytest.raises(SystemExit):
        main(["evaluate", "--methods", "pca", "--contrastive", "-0.5"])
    # a value out of range: the message, not a traceback, before any training
    for bad, message in [("pca:shrinkage=-1", "shrinkage must be a finite number >= 0"),
                         ("pca:normalize=zz", "normalize must be one of"),
                         ("pca:contrastive=0.1", "contrastive applies to the trained")]:
        with pytest.raises(SystemExit, match=f"skippose evaluate: {message}"):
            main(["evaluate", "--data-home", str(data_home), "--methods", "pca",
                  "--set", bad, "--output", str(tmp_path)])


def test_contrastive_reaches_the_skippose_methods(data_home, tmp_path, capsys):
    for name in ("skippose-nopast", "skippose", "skippose-aug"):
        assert make_method(name, contrastive=0.2, augment=10).contrastive == 0.2
        assert make_method(name, augment=10).contrastive == 0.0  # the paper's objective
    with pytest.raises(ValueError, match="contrastive applies to the trained Skip-Pose methods"):
        make_method("ae", contrastive=0.2)
    # a global value leaves PCA alone; --set puts it on one method, labelled in the table
    rc = main(["evaluate", "--data-home", str(data_home), "--methods", "pca,skippose",
               "--splits", "1", "--window", "2", "--n-components", "8", "--max-epochs", "1",
               "--classes", "clap,golf,pullup", "--set", "skippose:contrastive=0.5",
               "--output", str(tmp_path)])
    assert rc == 0
    out = capsys.readouterr().out
    assert "skippose contrastive=0.5" in out
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["method_settings"] == {"skippose": {"contrastive": 0.5}}
    glob = evaluate_jhmdb(data_home, methods=["pca"], splits=[1], classes=["clap", "golf"],
                          contrastive=0.5, verbose=False)
    assert glob["settings"]["contrastive"] == 0.5 and glob["results"][0]["accuracy"] > 0


def test_several_seeds_match_separate_runs(data_home):
    """``random_state=[0, 1]``: each seed's rows are what a run with that seed gives;
    PCA (unseeded) runs once per split; means and sd are over the seeds."""
    import numpy as np

    kw = dict(methods=["pca", "skippose"], splits=[1, 2], classes=["clap", "golf", "pullup"],
              window=2, n_components=8, max_epochs=1, verbose=False)
    both = evaluate_jhmdb(data_home, random_state=[0, 1], **kw)
    single = {s: evaluate_jhmdb(data_home, random_state=s, **kw) for s in (0, 1)}
    rows = both["results"]
    assert [(r["method"], r["split"], r["seed"]) for r in rows] == [
        ("pca", 1, None), ("skippose", 1, 0), ("skippose", 1, 1),
        ("pca", 2, None), ("skippose", 2, 0), ("skippose", 2, 1)]
    for r in rows:
        ref = single[r["seed"] or 0]["results"]
        match = next(x for x in ref if x["method"] == r["method"] and x["split"] == r["split"])
        assert r["accuracy"] == pytest.approx(match["accuracy"])
        assert r["y_pred"] == match["y_pred"]
    per_seed = [single[s]["mean"]["skippose"]["accuracy"] for s in (0, 1)]
    m = both["mean"]["skippose"]
    assert m["accuracy"] == pytest.approx(np.mean(per_seed))
    assert m["accuracy_std"] == pytest.approx(np.std(per_seed, ddof=1))
    assert m["seeds"] == [0, 1] and both["mean"]["pca"]["seeds"] == [None]
    assert both["mean"]["pca"]["accuracy_std"] == 0.0
    assert both["settings"]["random_state"] == [0, 1]
    assert single[0]["settings"]["random_state"] == 0
    assert "sd acc (seeds)" in format_table(both) and "unseeded" in format_table(both)
    assert "sd acc" not in format_table(single[0])
    json.dumps(both)


@pytest.mark.parametrize("bad, err, match", [
    ([], ValueError, "at least one seed"), ([0, -1], ValueError, ">= 0"),
    ([1, 1], ValueError, "repeats a seed"), (1.5, TypeError, "int or a sequence"),
    (["a"], TypeError, "must hold ints"), ([True], TypeError, "must hold ints"),
])
def test_bad_seeds(data_home, bad, err, match):
    with pytest.raises(err, match=match):
        evaluate_jhmdb(data_home, methods=["pca"], splits=[1], classes=["clap", "golf"],
                       random_state=bad, verbose=False)


def _fake_result(preds, y_true, split=1):
    """A result dict with one row per (method, seed) -> predictions, on one split."""
    rows = []
    for (method, seed), y_pred in preds.items():
        rows.append({"method": method, "split": split, "seed": seed, "accuracy": 0.0,
                     "macro_ap": 0.0, "y_true": list(y_true), "y_pred": list(y_pred)})
    return {"results": rows}


def test_compare_methods_point_estimate_against_balanced_accuracy():
    """The difference is that of scikit-learn's balanced accuracy, averaged over splits
    and over a method's seeds."""
    import numpy as np
    from sklearn.metrics import balanced_accuracy_score

    from sklearn_skippose.evaluation import compare_methods

    rng = np.random.default_rng(0)
    rows, ref = [], 0.0
    for split in (1, 2, 3):
        y = rng.integers(0, 5, size=120)
        a0, a1, b = (np.where(rng.random(120) < p, y, rng.integers(0, 5, size=120))
                     for p in (0.6, 0.7, 0.5))
        res = _fake_result({("a", 0): a0, ("a", 1): a1, ("b", None): b}, y, split)
        rows += res["results"]
        ref += (np.mean([balanced_accuracy_score(y, a0), balanced_accuracy_score(y, a1)])
                - balanced_accuracy_score(y, b)) / 3
    c = compare_methods({"results": rows}, "a", "b", n_resamples=2000)
    assert c["difference"] == pytest.approx(ref)
    # per class: recall of each class (scikit-learn), averaged over splits and seeds
    from sklearn.metrics import recall_score

    for name, key in (("a", "method"), ("b", "baseline")):
        rec = np.mean([recall_score(r["y_true"], r["y_pred"], average=None, labels=range(5))
                       for r in rows if r["method"] == name], axis=0)
        got = [c["per_class"][str(label)][key] for label in range(5)]
        np.testing.assert_allclose(got, rec)
    named = compare_methods({"results": rows, "target_names": list("vwxyz")}, "a", "b",
                            n_resamples=10)
    assert list(named["per_class"]) == list("vwxyz")
    assert c["low"] < c["difference"] < c["high"] and c["splits"] == [1, 2, 3]
    # the other way round: the same interval, negated
    r = compare_methods({"results": rows}, "b", "a", n_resamples=2000)
    assert r["difference"] == pytest.approx(-ref)


def test_compare_methods_interval_width_matches_the_normal_approximation():
    """One class of n clips: the bootstrap sd of a paired mean difference is about
    sd(d) / sqrt(n), so the 95 % interval is about +-1.96 of that."""
    import numpy as np

    from sklearn_skippose.evaluation import compare_methods

    rng = np.random.default_rng(1)
    n = 400
    y = np.zeros(n, int)
    a = np.where(rng.random(n) < 0.7, 0, 1)
    b = np.where(rng.random(n) < 0.6, 0, 1)
    d = (a == 0).astype(float) - (b == 0)
    c = compare_methods(_fake_result({("a", 0): a, ("b", 0): b}, y), "a", "b",
                        n_resamples=20000, random_state=3)
    half = 1.96 * d.std() / np.sqrt(n)
    assert c["difference"] == pytest.approx(d.mean())
    assert (c["high"] - c["low"]) / 2 == pytest.approx(half, rel=0.1)


def test_compare_methods_degenerate_cases():
    from sklearn_skippose.evaluation import compare_methods

    y = [0, 0, 1, 1, 2, 2]
    same = compare_methods(_fake_result({("a", 0): [0, 1, 1, 1, 2, 0], ("b", 0):
                                         [0, 1, 1, 1, 2, 0]}, y), "a", "b", n_resamples=500)
    assert (same["difference"], same["low"], same["high"]) == (0.0, 0.0, 0.0)
    full = compare_methods(_fake_result({("a", 0): y, ("b", 0): [1, 1, 2, 2, 0, 0]}, y),
                           "a", "b", n_resamples=500)
    assert (full["difference"], full["low"], full["high"]) == (1.0, 1.0, 1.0)


def test_compare_methods_bad_input():
    from sklearn_skippose.evaluation import compare_methods

    res = _fake_result({("a", 0): [0, 1], ("b", 0): [1, 1]}, [0, 1])
    with pytest.raises(TypeError, match="evaluate_jhmdb returns"):
        compare_methods([1, 2], "a", "b")
    with pytest.raises(ValueError, match="not a method of this run"):
        compare_methods(res, "a", "c")
    with pytest.raises(ValueError, match="both 'a'"):
        compare_methods(res, "a", "a")
    with pytest.raises(ValueError, match="confidence"):
        compare_methods(res, "a", "b", confidence=1.5)
    with pytest.raises(ValueError, match="n_resamples"):
        compare_methods(res, "a", "b", n_resamples=0)
    old = {"results": [{k: v for k, v in r.items() if k != "y_pred"} for r in res["results"]]}
    with pytest.raises(ValueError, match="no per-clip predictions"):
        compare_methods(old, "a", "b")
    with pytest.raises(ValueError, match="no per-clip class scores"):
        compare_methods(res, "a", "b", metric="macro_ap")
    with pytest.raises(ValueError, match="metric must be"):
        compare_methods(res, "a", "b", metric="f1")
    mixed = _fake_result({("a", 0): [0, 1], ("b", 0): [1, 1]}, [0, 1])
    mixed["results"][1]["y_true"] = [1, 0]
    with pytest.raises(ValueError, match="same test clips"):
        compare_methods(mixed, "a", "b")
    two = {"results": res["results"] + _fake_result({("a", 0): [0]}, [0], split=2)["results"]}
    with pytest.raises(ValueError, match="no result on split 2"):
        compare_methods(two, "a", "b")


@pytest.mark.parametrize("result, exc, match", [
    ([1, 2], TypeError, "evaluate_jhmdb returns"),
    ({"rows": []}, TypeError, "with a 'results' list"),
    ({"results": []}, ValueError, "'results' list is empty"),
    ({"results": [3]}, TypeError, r"result\['results'\]\[0\] must be a dict"),
    ({"results": [{"method": "pca", "split": 1}]}, ValueError,
     r"result\['results'\]\[0\] lacks \['accuracy', 'macro_ap'\]"),
])
def test_format_and_compare_refuse_what_is_not_a_result(result, exc, match):
    from sklearn_skippose.evaluation import compare_methods

    with pytest.raises(exc, match=match):
        format_table(result)
    with pytest.raises(exc, match=match):
        compare_methods(result, "pca", "ae")


def test_format_table_needs_the_summary_of_every_method():
    row = {"method": "pca", "split": 1, "seed": None, "accuracy": 0.5, "macro_ap": 0.5}
    with pytest.raises(ValueError, match=r"result\['mean'\] has no summary of \['pca'\]"):
        format_table({"results": [row]})
    assert "50.0 / 50.0" in format_table({"results": [row], "mean": {
        "pca": {"accuracy": 0.5, "macro_ap": 0.5, "seeds": [None]}}})


def test_seeds_and_compare_cli(data_home, tmp_path, capsys):
    rc = main(["evaluate", "--data-home", str(data_home), "--methods", "pca,skippose",
               "--splits", "1", "--window", "2", "--n-components", "8", "--max-epochs", "1",
               "--classes", "clap,golf,pullup", "--random-state", "0,1",
               "--compare", "skippose,pca", "--output", str(tmp_path)])
    assert rc == 0
    out = capsys.readouterr().out
    assert "seeds 0, 1" in out and "sd acc (seeds)" in out
    assert "skippose - pca:" in out and "95 % interval" in out
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["settings"]["random_state"] == [0, 1]
    for metric in ("accuracy", "macro_ap"):  # the stored scores give the same macro AP
        c = res["comparison"][metric]
        assert c["method"] == "skippose" and c["metric"] == metric
        diff = res["mean"]["skippose"][metric] - res["mean"]["pca"][metric]
        assert c["difference"] == pytest.approx(diff)
    assert "points of macro AP" in out
    # the same comparison again from the saved file, and at another confidence
    assert main(["compare", str(tmp_path), "skippose,pca"]) == 0
    again = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.startswith("skippose - pca:"))
    assert again.splitlines()[0] == line and "classes most behind:" in again
    assert main(["compare", str(tmp_path / "results.json"), "skippose,pca",
                 "--confidence", "0.5"]) == 0
    assert "50 % interval" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="no results file"):
        main(["compare", str(tmp_path / "nothere.json"), "skippose,pca"])
    with pytest.raises(SystemExit, match="not a method of this run"):
        main(["compare", str(tmp_path), "ae,pca"])
    with pytest.raises(SystemExit, match="confidence"):
        main(["compare", str(tmp_path), "skippose,pca", "--confidence", "1.5"])
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(SystemExit, match="is not JSON"):
        main(["compare", str(tmp_path / "bad.json"), "skippose,pca"])
    for bad in (["--random-state", "a"], ["--random-state", "0,0"], ["--random-state", "-1"],
                ["--compare", "pca"], ["--compare", "pca,pca"]):
        with pytest.raises(SystemExit):
            main(["evaluate", "--methods", "pca,skippose", *bad])
    with pytest.raises(SystemExit, match="--compare names"):
        main(["evaluate", "--data-home", str(data_home), "--methods", "pca",
              "--compare", "skippose,pca", "--output", str(tmp_path)])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weighted_average_precision_against_scikit_learn(seed):
    """Resampling weights (with zeros) and tied scores: scikit-learn's
    average_precision_score with sample_weight is the reference."""
    import numpy as np
    from sklearn.metrics import average_precision_score

    from sklearn_skippose.evaluation import _weighted_average_precision

    rng = np.random.default_rng(seed)
    n = 60
    positive = rng.random(n) < 0.3
    positive[0] = True
    score = np.round(rng.normal(size=n) + positive, 1)  # rounding makes ties
    W = rng.integers(0, 3, size=(20, n)).astype(float)
    W[:, 0] = 1  # at least one positive weighted
    got = _weighted_average_precision(positive, score, W)
    ref = [average_precision_score(positive, score, sample_weight=w) for w in W]
    np.testing.assert_allclose(got, ref)
    ones = _weighted_average_precision(positive, score, np.ones((1, n)))
    assert ones[0] == pytest.approx(average_precision_score(positive, score))


def test_untrained_control(data_home, tmp_path, capsys):
    """``skippose-random``: Skip-Pose's network at its initialisation, whatever
    max_epochs says; seeded like the trained methods; no contrastive term."""
    import numpy as np

    emb = make_method("skippose-random", window=2, n_components=8, max_epochs=50, random_state=3)
    assert emb.max_epochs == 0 and emb.random_state == 3 and emb.augmentation is None
    X = np.random.default_rng(0).normal(size=(5, 12, 30))
    fresh = SkipPoseEmbedder(window=2, n_components=8, max_epochs=0, random_state=3).fit(X[:2])
    np.testing.assert_array_equal(emb.fit(X).transform(X), fresh.transform(X))
    with pytest.raises(ValueError, match="trained Skip-Pose methods"):
        make_method("skippose-random", contrastive=0.1)
    rc = main(["evaluate", "--data-home", str(data_home), "--methods", "pca,skippose-random",
               "--splits", "1", "--window", "2", "--n-components", "8",
               "--classes", "clap,golf,pullup", "--contrastive", "0.1",
               "--output", str(tmp_path)])
    assert rc == 0 and "skippose-random" in capsys.readouterr().out
    rows = json.loads((tmp_path / "results.json").read_text())["results"]
    assert [r["method"] for r in rows] == ["pca", "skippose-random"]
    assert rows[1]["epochs"] == 0 and 0 < rows[1]["accuracy"] <= 1
    assert rows[1]["history"] == [] and rows[1]["best_epoch"] == 0


def test_history_rows_are_strict_json():
    """Without a validation split the per-epoch validation loss is NaN in
    ``history_``; results.json writes it as null, so the file stays strict JSON."""
    import numpy as np

    from sklearn_skippose.evaluation import _history

    X = np.random.default_rng(0).normal(size=(4, 12, 30))
    emb = SkipPoseEmbedder(window=2, n_components=4, max_epochs=2, validation_fraction=0,
                           random_state=0).fit(X)
    rows = _history(emb)
    assert [r["epoch"] for r in rows] == [1, 2]
    assert all(r["valid_loss"] is None and r["train_loss"] > 0 for r in rows)
    json.dumps(rows, allow_nan=False)  # raises on NaN
    assert _history(make_method("pca")) is None


@pytest.mark.parametrize("args, message", [
    (["--splits", "4"], "among 1, 2, 3"),
    (["--splits", "1,1"], "distinct"),
    (["--splits", "one"], "expected official split numbers"),
    (["--window", "0"], "--window: must be >= 1"),
    (["--n-components", "0"], "--n-components: must be >= 1"),
    (["--n-neighbors", "0"], "--n-neighbors: must be >= 1"),
    (["--max-epochs", "-1"], "--max-epochs: must be >= 1"),
    (["--augment", "-5"], "--augment: must be >= 0"),
    (["--window", "two"], "expected an integer"),
    (["--shrinkage", "-1"], "--shrinkage: must be a finite number >= 0"),
    (["--shrinkage", "inf"], "--shrinkage: must be a finite number >= 0"),
    (["--shrinkage", "lots"], "--shrinkage: expected a number"),
    (["--center", "1.5"], "--center: must be a number in [0, 1]"),
    (["--center", "nan"], "--center: must be a number in [0, 1]"),
    (["--center", "half"], "--center: expected a number"),
])
def test_cli_refuses_bad_numbers_before_running(args, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", "--methods", "pca", *args])
    assert exc.value.code == 2  # argparse's usage error, not a traceback
    assert message in capsys.readouterr().err


def test_cli_every_option_says_what_it_does():
    import argparse

    from sklearn_skippose.__main__ import _parser

    parser = _parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(subs.choices) == {"show-versions", "summary", "evaluate", "compare"}
    for name, sub in subs.choices.items():
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            label = action.option_strings or [action.dest]
            assert action.help, f"skippose {name} {label[0]} has no help text"
            # a default worth knowing is said (store_true flags and None defaults aside)
            if action.default not in (None, False, True, []) and action.nargs is None:
                assert "default" in action.help, f"skippose {name} {label[0]}: no default"
        sub.format_help()  # every help string formats (no stray %)


def test_quick_keeps_explicit_methods_and_splits(data_home, tmp_path):
    rc = main(["evaluate", "--data-home", str(data_home), "--quick", "--methods", "pca",
               "--splits", "2", "--classes", "clap,golf", "--output", str(tmp_path)])
    assert rc == 0
    res = json.loads((tmp_path / "results.json").read_text())
    assert {(r["method"], r["split"]) for r in res["results"]} == {("pca", 2)}
    with pytest.raises(SystemExit, match="unknown method"):
        main(["evaluate", "--data-home", str(data_home), "--quick", "--methods", "foo",
              "--output", str(tmp_path)])


def test_unknown_classes_are_named(data_home):
    with pytest.raises(ValueError, match=r"\['golff'\] not in JHMDB; the classes are: brush_hair"):
        evaluate_jhmdb(data_home, methods=["pca"], splits=[1], classes=["clap", "golff"],
                       verbose=False)
    with pytest.raises(ValueError, match="at least two"):
        evaluate_jhmdb(data_home, methods=["pca"], splits=[1], classes=[], verbose=False)


@pytest.mark.parametrize("classes, message", [
    ("clap,golff", r"--classes: classes \['golff'\] not in JHMDB; the classes are: brush_hair"),
    ("clap", r"at least two classes to classify, got \['clap'\]"),
    ("clap, clap,", "at least two classes"),
])
def test_cli_bad_classes_end_before_any_training(data_home, tmp_path, classes, message):
    # a clean message (no traceback), and nothing written
    with pytest.raises(SystemExit, match=message):
        main(["evaluate", "--data-home", str(data_home), "--methods", "pca", "--classes",
              classes, "--output", str(tmp_path / "out")])
    assert not (tmp_path / "out").exists()


def test_cli_empty_classes_is_an_error_not_every_class(data_home, tmp_path):
    with pytest.raises(SystemExit, match=r"at least two classes to classify, got \[\]"):
        main(["evaluate", "--data-home", str(data_home), "--methods", "pca", "--classes", "",
              "--output", str(tmp_path / "out")])


def test_an_output_folder_that_cannot_be_written_is_said_before_training(data_home, tmp_path,
                                                                       monkeypatch):
    import sklearn_skippose.evaluation as evaluation

    def no_training(*args, **kwargs):
        raise AssertionError("an embedder was built before the output folder was checked")

    (tmp_path / "a_file").write_text("")
    # the embedders of the run are built (and trained) only after the check
    with monkeypatch.context() as m:
        m.setattr(evaluation, "make_pipeline", no_training)
        for out, message in ((tmp_path / "a_file", "output must be a folder, but .* is a file"),
                             (tmp_path / "a_file" / "sub", "cannot be created")):
            with pytest.raises(ValueError, match=message):
                evaluate_jhmdb(data_home, methods=["pca"], splits=[1], output=out,
                               classes=["clap", "golf"], verbose=False)
            with pytest.raises(SystemExit, match="skippose evaluate: --output: .*" + message):
                main(["evaluate", "--data-home", str(data_home), "--methods", "pca",
                      "--classes", "clap,golf", "--output", str(out)])
        with pytest.raises(TypeError, match="output must be a folder path"):
            evaluate_jhmdb(data_home, methods=["pca"], splits=[1], output=3, verbose=False)
    # a new folder, parents included, is made and written
    evaluate_jhmdb(data_home, methods=["pca"], splits=[1], output=tmp_path / "new" / "run",
                   classes=["clap", "golf"], verbose=False)
    assert (tmp_path / "new" / "run" / "results.json").is_file()


def test_cli_classes_may_carry_spaces(data_home, tmp_path):
    rc = main(["evaluate", "--data-home", str(data_home), "--quick", "--methods", "pca",
               "--classes", " clap , golf ", "--output", str(tmp_path)])
    assert rc == 0
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["dataset"].endswith("classes ['clap', 'golf']")


@pytest.mark.parametrize("command", [["summary"], ["evaluate", "--methods", "pca"]])
def test_cli_without_data_ends_with_the_loaders_message(tmp_path, command, capsys):
    with pytest.raises(SystemExit, match=f"skippose {command[0]}: No JHMDB data found"):
        main([*command, "--data-home", str(tmp_path / "nowhere")])


def test_one_name_or_split_is_a_list_of_one(data_home):
    kw = dict(verbose=False)
    one = evaluate_jhmdb(data_home, methods="pca", splits=1, classes=["clap", "golf"], **kw)
    listed = evaluate_jhmdb(data_home, methods=["pca"], splits=[1], classes=["clap", "golf"],
                            **kw)
    assert one["mean"] == listed["mean"]
    assert [(r["method"], r["split"]) for r in one["results"]] == [("pca", 1)]
    with pytest.raises(ValueError, match="at least two JHMDB classes"):
        evaluate_jhmdb(data_home, methods="pca", splits=1, classes="clap", **kw)
    with pytest.raises(ValueError, match="splits must be among"):
        evaluate_jhmdb(data_home, methods="pca", splits=[True], **kw)


def test_figures_leave_the_callers_matplotlib_alone(data_home, tmp_path):
    # no backend switch and no pyplot figures left behind (a notebook's inline
    # plotting keeps working after evaluate_jhmdb)
    import matplotlib
    import matplotlib.pyplot as plt

    backend = matplotlib.get_backend()
    plt.close("all")
    matplotlib.use("svg")  # not the Agg a library might switch to
    try:
        evaluate_jhmdb(data_home, methods=["pca"], splits=[1], classes=["clap", "golf"],
                       output=tmp_path, verbose=False)
        assert matplotlib.get_backend() == "svg"
        assert plt.get_fignums() == []
    finally:
        matplotlib.use(backend)
    from PIL import Image

    with Image.open(tmp_path / "results.png") as im:
        assert im.size[0] > 100 and im.size[1] > 100
    with Image.open(tmp_path / "similarity_map.png") as im:
        assert im.size == (720, 660)  # 6 x 5.5 inches at 120 dpi


def test_cli_output_into_a_closed_pipe_ends_quietly():
    """``skippose show-versions | head -1``: no BrokenPipeError traceback."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "sklearn_skippose", "show-versions"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before anything is written
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "BrokenPipeError" not in err and "Traceback" not in err
    assert proc.returncode == 1


def test_cli_summary_of_the_data(data_home, tmp_path, capsys):
    assert main(["summary", "--data-home", str(data_home)]) == 0
    out = capsys.readouterr().out
    assert "804 clips, 21 classes, 15 joints" in out
    assert "data: (804, 40, 30)" in out
    for line in ("split 1: 536 train / 268 test clips", "split 2: 534 train / 270 test clips",
                 "split 3: 539 train / 265 test clips"):
        assert line in out
    assert "189 recordings" in out  # Human3.6M
    only_jhmdb = tmp_path / "only_jhmdb"
    only_jhmdb.mkdir()
    (only_jhmdb / "jhmdb").symlink_to(data_home / "jhmdb", target_is_directory=True)
    assert main(["summary", "--data-home", str(only_jhmdb)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("Human3.6M: not available (No Human3.6M data found. Looked in: "
                           f"{only_jhmdb / 'h36m'}, {only_jhmdb});")


def test_make_method_builds_each_paper_method():
    from sklearn_skippose import AutoencoderEmbedder, PCAEmbedder

    ae = make_method("ae", window=6, n_components=32, max_epochs=7, random_state=3)
    assert isinstance(ae, AutoencoderEmbedder)
    assert (ae.window, ae.n_components, ae.max_epochs, ae.random_state) == (6, 32, 7, 3)
    assert isinstance(make_method("pca", window=6), PCAEmbedder)
    nopast = make_method("skippose-nopast")
    assert isinstance(nopast, SkipPoseEmbedder) and nopast.decode_past is False
    assert make_method("skippose-random", max_epochs=50).max_epochs == 0  # never trained


@pytest.mark.parametrize("scale, steps", [(True, ["SequenceStandardScaler"]),
                                          (False, []), (None, []),
                                          ("whiten", ["SequenceWhitener"])])
def test_scale_accepts_booleans(scale, steps):
    from sklearn_skippose.evaluation import _scaler

    assert [type(s).__name__ for s in _scaler(scale)] == steps


def test_saved_embedders_reproduce_the_predictions(data_home, tmp_path, capsys):
    """--save-embedders: every trained embedder in a file, which gives the row's
    predictions again when the pipeline is rebuilt around it by hand."""
    import numpy as np
    from sklearn.pipeline import make_pipeline

    from sklearn_skippose import DTWNearestNeighbors, PoseNormalizer, SequenceWhitener, mirror_poses
    from sklearn_skippose.datasets import load_jhmdb
    from sklearn_skippose.embedding import load_embedder

    classes = ["clap", "golf", "pullup"]
    rc = main(["evaluate", "--data-home", str(data_home), "--methods", "pca,skippose",
               "--splits", "1", "--window", "2", "--n-components", "8", "--max-epochs", "2",
               "--classes", ",".join(classes), "--output", str(tmp_path), "--save-embedders"])
    assert rc == 0
    assert "2 fitted embedder(s) in" in capsys.readouterr().out
    res = json.loads((tmp_path / "results.json").read_text())
    pca, sp = res["results"]
    assert pca["embedder_file"] == "embedders/pca_split1.npz"  # PCA takes no seed
    assert sp["embedder_file"] == "embedders/skippose_split1_seed0.npz"
    assert sorted(p.name for p in (tmp_path / "embedders").iterdir()) == [
        "pca_split1.npz", "skippose_split1_seed0.npz"]
    pca_emb = load_embedder(tmp_path / pca["embedder_file"])
    assert (type(pca_emb).__name__, pca_emb.window, pca_emb.n_components) == (
        "PCAEmbedder", 2, 8)
    emb = load_embedder(tmp_path / sp["embedder_file"])
    assert (emb.window, emb.n_components, emb.random_state) == (2, 8, 0)
    assert emb.n_epochs_ == sp["epochs"]
    jh = load_jhmdb(data_home, classes=classes)
    tr, te = jh.splits[:, 0] == 1, jh.splits[:, 0] == 2
    norm = PoseNormalizer(mode="first_pose_isotropic")
    for row, saved in ((sp, emb), (pca, pca_emb)):  # each row's predictions, rebuilt
        whiten = SequenceWhitener().fit(saved.transform(norm.transform(jh.data[tr])))
        feat = make_pipeline(norm, saved, whiten)  # every step fitted: used as it is
        clf = DTWNearestNeighbors(aggregate="mean").fit(feat.transform(jh.data[tr]),
                                                        jh.target[tr])
        clf.partial_fit(feat.transform(mirror_poses(jh.data[tr])), jh.target[tr])
        np.testing.assert_array_equal(clf.predict(feat.transform(jh.data[te])), row["y_pred"])


def test_save_embedders_needs_an_output(data_home):
    with pytest.raises(ValueError, match="save_embedders=True needs an output folder"):
        evaluate_jhmdb(data_home, methods=["pca"], splits=[1], classes=["clap", "golf"],
                       save_embedders=True, verbose=False)
