import json

import pytest

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
    assert "per-method settings: pca: window=6, n_neighbors=3, mirror=False" in out
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
    with pytest.raises(ValueError, match="contrastive applies to the Skip-Pose methods"):
        evaluate_jhmdb(data_home, method_settings={"pca": {"contrastive": 0.1}}, **kw)
    with pytest.raises(ValueError, match="contrastive must be a non-negative number"):
        evaluate_jhmdb(data_home, contrastive=-1.0, **kw)
    for bad in ["pca", "pca:window", "pca:windw=3", "pca:window=x", "pca:mirror=maybe",
                "pca:contrastive=lots"]:
        with pytest.raises(SystemExit):
            main(["evaluate", "--methods", "pca", "--set", bad])
    with pytest.raises(SystemExit, match="not in --methods"):
        main(["evaluate", "--data-home", str(data_home), "--methods", "pca",
              "--set", "ae:window=2", "--output", str(tmp_path)])
    with pytest.raises(SystemExit):
        main(["evaluate", "--methods", "pca", "--contrastive", "-0.5"])


def test_contrastive_reaches_the_skippose_methods(data_home, tmp_path, capsys):
    for name in ("skippose-nopast", "skippose", "skippose-aug"):
        assert make_method(name, contrastive=0.2, augment=10).contrastive == 0.2
        assert make_method(name, augment=10).contrastive == 0.0  # the paper's objective
    with pytest.raises(ValueError, match="contrastive applies to the Skip-Pose methods"):
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
