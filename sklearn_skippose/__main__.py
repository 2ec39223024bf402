"""Command line: ``python -m sklearn_skippose`` (or ``skippose``).

``skippose show-versions``
    Print the versions of Python, this package, its dependencies and the
    compute devices (:func:`sklearn_skippose.show_versions`), for bug reports.
``skippose summary``
    Load JHMDB (and Human3.6M when present) and print what was found.
``skippose compare RESULTS METHOD,BASELINE``
    Re-do ``evaluate --compare`` on a saved ``results.json``: the accuracy
    and macro-AP differences of two methods with paired bootstrap intervals
    over the test clips and the classes that make them, at any
    ``--confidence``.
``skippose evaluate``
    The JHMDB evaluation over the three official splits
    (:func:`sklearn_skippose.evaluation.evaluate_jhmdb`): train each method's
    embedder on a split's training clips without labels, register them as the
    dictionary, classify the test clips by DTW nearest neighbour, print the
    method x split table and write ``results.json`` and figures to
    ``--output``.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from . import __version__
from .datasets import DataNotFoundError
from .utils import show_versions


def _summary(args):
    from .datasets import load_h36m, load_jhmdb

    jh = load_jhmdb(args.data_home)
    print(jh.DESCR)
    print(f"data: {jh.data.shape} (n_clips, max_frames, 2 * n_joints), NaN-padded")
    missing = np.isnan(jh.data[np.arange(jh.data.shape[1])[None, :] < jh.lengths[:, None]])
    print(f"missing (out-of-frame) coordinates: {missing.mean():.2%}")
    for k in range(jh.splits.shape[1]):
        tr, te = (jh.splits[:, k] == 1).sum(), (jh.splits[:, k] == 2).sum()
        print(f"split {k + 1}: {tr} train / {te} test clips")
    try:
        h = load_h36m(args.data_home)
        print(h.DESCR)
    except (FileNotFoundError, ValueError) as exc:
        lines = str(exc).splitlines()
        places = [line.strip() for line in lines[1:] if line.startswith("  ")]
        where = f" {', '.join(places)}" if places else ""
        print(f"Human3.6M: not available ({lines[0]}{where}); only the augmented "
              "method (skippose-aug, MocapProjection) needs it")
    return 0


_SCALE_WORDS = {"whiten": "whitened embeddings, ", "standard": "standardised embeddings, ",
                "none": ""}


def _global_settings(args):
    """The settings of ``skippose evaluate`` that every method shares, by name."""
    from .evaluation import METHOD_SETTINGS

    return {name: getattr(args, name) for name in METHOD_SETTINGS}


def _scale_words(scale, shrinkage, center=0.0):
    """How the embeddings were scaled (and centred), for the table's heading."""
    words = _SCALE_WORDS[scale]
    if scale == "whiten" and shrinkage != 1e-3:
        words = f"whitened embeddings (shrinkage {shrinkage:g}), "
    if center:
        words += f"{center:g} of each clip's mean embedding subtracted, "
    return words


def _evaluate(args):
    from .datasets import load_jhmdb
    from .evaluation import (METHODS, _method_configs, _prepare_output, evaluate_jhmdb,
                             format_table)

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    bad = [m for m in methods if m not in METHODS]
    if bad:
        raise SystemExit(f"unknown method(s) {bad}; choose from {', '.join(METHODS)}")
    unused = [m for m in args.method_settings if m not in methods]
    if unused:
        raise SystemExit(f"--set names method(s) {unused} that are not in --methods {methods}")
    if args.compare is not None:
        missing = [m for m in args.compare if m not in methods]
        if missing:
            raise SystemExit(f"--compare names method(s) {missing} that are not in --methods "
                             f"{methods}")
    classes = None
    if args.classes is not None:  # "" names no class: an error, not every class
        classes = [c.strip() for c in args.classes.split(",") if c.strip()]
        if len(set(classes)) < 2:
            raise SystemExit(f"skippose evaluate: --classes must name at least two classes "
                             f"to classify, got {classes}.")
        try:  # names unknown to the data: the loader's message, before any training
            load_jhmdb(args.data_home, classes=classes)
        except DataNotFoundError:
            raise
        except ValueError as exc:
            raise SystemExit(f"skippose evaluate: --classes: {exc}") from None
    try:  # a folder that cannot be written: said now, not after the training
        _prepare_output(args.output)
    except (TypeError, ValueError) as exc:
        raise SystemExit(f"skippose evaluate: --output: {exc}") from None
    try:  # a setting out of range (e.g. --set pca:normalize=...): said without a traceback
        _method_configs(methods, _global_settings(args), args.method_settings or None)
    except (TypeError, ValueError) as exc:
        raise SystemExit(f"skippose evaluate: {exc}") from None
    splits = args.splits
    t0 = time.perf_counter()
    result = evaluate_jhmdb(
        args.data_home, methods=methods, splits=splits, window=args.window,
        n_components=args.n_components, augment=args.augment, normalize=args.normalize,
        jitter=args.jitter, mirror=args.mirror,
        scale=args.scale, shrinkage=args.shrinkage, center=args.center,
        aggregate=args.aggregate, metric=args.metric,
        n_neighbors=args.n_neighbors, max_epochs=args.max_epochs,
        contrastive=args.contrastive, method_settings=args.method_settings or None,
        random_state=args.random_state[0] if len(args.random_state) == 1 else args.random_state,
        output=args.output, save_embedders=args.save_embedders,
        classes=classes,
    )
    print()
    jitter = " + PoseJitter" if args.jitter and "skippose-aug" in methods else ""
    mirror = ", mirrored dictionary" if args.mirror else ""
    if args.contrastive:
        jitter += f", contrastive {args.contrastive:g} (Skip-Pose)"
    print(f"{result['dataset']}, window {args.window}, {args.normalize} poses{jitter}{mirror},\n"
          f"{_scale_words(args.scale, args.shrinkage, args.center)}DTW {args.metric} "
          f"{args.aggregate!r}, {args.n_neighbors}-NN; mean per-class accuracy / macro AP (%)")
    if args.method_settings:
        print("per-method settings: " + "; ".join(
            f"{m}: " + ", ".join(f"{k}={v}" for k, v in o.items())
            for m, o in args.method_settings.items()) + " (these replace the line above's values)")
    if len(args.random_state) > 1:
        print(f"seeds {', '.join(map(str, args.random_state))}: cells are means over the seeds")
    print(format_table(result))
    if args.compare is not None:
        print()
        result["comparison"] = _comparisons(result, args.compare)
        (Path(args.output) / "results.json").write_text(json.dumps(result, indent=2))
    print(f"\n{time.perf_counter() - t0:.0f} s; results and figures in {Path(args.output)}/")
    if args.save_embedders:
        n_saved = sum(r.get("embedder_file") is not None for r in result["results"])
        print(f"{n_saved} fitted embedder(s) in {Path(args.output) / 'embedders'}/")
    return 0


_METRIC_WORDS = {"accuracy": "mean accuracy", "macro_ap": "macro AP"}


def _comparisons(result, pair, **kw):
    """Compare ``pair`` in accuracy and, when the run stored class scores, macro AP;
    print each; return ``{metric: comparison}``."""
    from .evaluation import compare_methods

    out = {}
    for metric in ("accuracy", "macro_ap"):
        if metric == "macro_ap" and any("scores" not in r for r in result.get("results", [])):
            print("(no class scores in these results: macro AP not compared)")
            continue
        c = out[metric] = compare_methods(result, *pair, metric=metric, **kw)
        print(f"{c['method']} - {c['baseline']}: {100 * c['difference']:+.1f} points of "
              f"{_METRIC_WORDS[metric]}; {100 * c['confidence']:.0f} % interval over test-clip "
              f"resamples [{100 * c['low']:+.1f}, {100 * c['high']:+.1f}] (paired, "
              f"class-stratified bootstrap, {c['n_resamples']} resamples)")
        gaps = sorted(c["per_class"].items(), key=lambda kv: kv[1]["method"] - kv[1]["baseline"])
        for label, part in (("behind", gaps[:5]), ("ahead", gaps[::-1][:5])):
            print(f"  classes most {label}: " + ", ".join(
                f"{n} {100 * (v['method'] - v['baseline']):+.1f}" for n, v in part))
    return out


def _compare(args):
    path = Path(args.results)
    if path.is_dir():
        path = path / "results.json"
    try:
        result = json.loads(path.read_text())
    except FileNotFoundError:
        raise SystemExit(f"no results file at {path} (expected what skippose evaluate "
                         "writes: results.json, or the --output folder holding it)") from None
    except json.JSONDecodeError as exc:
        raise SystemExit(f"{path} is not JSON: {exc}") from None
    try:
        _comparisons(result, args.methods, n_resamples=args.n_resamples,
                     confidence=args.confidence, random_state=args.random_state)
    except (TypeError, ValueError) as exc:
        raise SystemExit(f"{path}: {exc}") from None
    return 0


_INT_SETTINGS = ("window", "n_components", "augment", "n_neighbors", "max_epochs")
_BOOL_WORDS = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}


def _seed_list(text):
    """``"0,1,2"`` -> ``[0, 1, 2]`` (argparse type of ``--random-state``)."""
    try:
        seeds = [int(t) for t in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a seed or comma-separated seeds (e.g. 0,1,2), got {text!r}") from None
    if any(s < 0 for s in seeds) or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"seeds must be distinct and >= 0, got {text!r}")
    return seeds


def _int_at_least(minimum):
    """argparse type: an integer >= ``minimum``."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value
    return parse


def _shrinkage(text):
    """argparse type of ``--shrinkage``: a finite number >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def _fraction(text):
    """argparse type of ``--center``: a number in [0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {text}")
    return value


def _split_list(text):
    """``"1,3"`` -> ``[1, 3]`` (argparse type of ``--splits``)."""
    try:
        splits = [int(t) for t in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected official split numbers, e.g. 1,2,3, got {text!r}") from None
    if any(k not in (1, 2, 3) for k in splits) or len(set(splits)) != len(splits):
        raise argparse.ArgumentTypeError(
            f"splits must be distinct numbers among 1, 2, 3, got {text!r}")
    return splits


def _method_pair(text):
    """``"skippose-aug,pca"`` -> ``["skippose-aug", "pca"]`` (type of ``--compare``)."""
    pair = [t.strip() for t in text.split(",")]
    if len(pair) != 2 or not all(pair) or pair[0] == pair[1]:
        raise argparse.ArgumentTypeError(
            f"expected two different methods METHOD,BASELINE (e.g. skippose-aug,pca), got {text!r}")
    return pair


def _parse_set(parser, items):
    """``["pca:window=8", ...]`` -> ``{"pca": {"window": 8}}``."""
    from .evaluation import METHOD_SETTINGS

    out = {}
    for item in items or []:
        method, sep, rest = item.partition(":")
        key, sep2, value = rest.partition("=")
        if not (sep and sep2 and method and key and value):
            parser.error(f"--set expects METHOD:NAME=VALUE (e.g. pca:window=8), got {item!r}")
        if key not in METHOD_SETTINGS:
            parser.error(f"--set {item!r}: unknown setting {key!r}; expected one of "
                         f"{', '.join(METHOD_SETTINGS)}")
        if key in _INT_SETTINGS:
            try:
                value = int(value)
            except ValueError:
                parser.error(f"--set {item!r}: {key} must be an integer")
        elif key in ("contrastive", "shrinkage", "center"):
            try:
                value = float(value)
            except ValueError:
                parser.error(f"--set {item!r}: {key} must be a number")
        elif key in ("jitter", "mirror"):
            if value.lower() not in _BOOL_WORDS:
                parser.error(f"--set {item!r}: {key} must be yes or no")
            value = _BOOL_WORDS[value.lower()]
        out.setdefault(method, {})[key] = value
    return out


def main(argv=None):
    """The ``skippose`` command; returns its exit status."""
    try:
        status = _main(argv)
        sys.stdout.flush()  # here, not at exit, where the error could not be caught
        return status
    except BrokenPipeError:  # the reader went away (``skippose ... | head``)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes
        return 1


def _parser():
    """The command line: ``skippose`` and its sub-commands."""
    from .preprocessing import _MODES as _NORMALIZE_MODES

    parser = argparse.ArgumentParser(
        prog="skippose",
        description="Skip-Pose Vectors on JHMDB: the evaluation, its comparisons and "
        "the data summary (also run as python -m sklearn_skippose).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("show-versions", help="print the versions of Python, this package, its "
                                         "dependencies and the compute devices (for bug reports)")
    s = sub.add_parser("summary", help="print what the data folder holds")
    s.add_argument("--data-home", default=None,
                   help="the data folder (holding jhmdb/ and h36m/); default: $SKIPPOSE_DATA, "
                        "else the per-user folder of sklearn_skippose.datasets.get_data_home")
    e = sub.add_parser("evaluate", help="JHMDB evaluation over the official splits")
    e.add_argument("--data-home", default=None,
                   help="the data folder (holding jhmdb/ and h36m/); default: $SKIPPOSE_DATA, "
                        "else the per-user folder of sklearn_skippose.datasets.get_data_home")
    e.add_argument("--methods", default=None,
                   help="comma-separated: pca, ae, skippose-nopast, skippose, skippose-aug, "
                        "skippose-random (the untrained network, a control); default "
                        "pca,skippose,skippose-aug (pca,skippose with --quick)")
    e.add_argument("--splits", type=_split_list, default=None, metavar="K[,K...]",
                   help="official splits to run; default 1,2,3 (1 with --quick)")
    e.add_argument("--window", type=_int_at_least(1), default=4,
                   help="frames per window T of every embedder (default 4; the paper: "
                        "2, 4, 6)")
    e.add_argument("--n-components", type=_int_at_least(1), default=64,
                   help="embedding size of every embedder (default 64, the paper's)")
    e.add_argument("--augment", type=_int_at_least(0), default=100_000,
                   help="Human3.6M projections per epoch for skippose-aug (default 100000)")
    e.add_argument("--aggregate", choices=["sum", "mean", "cost"], default="mean",
                   help="DTW score of a pair: the similarities along the best path "
                        "summed (the paper), their mean over the path (default) or "
                        "minus the path's cost")
    e.add_argument("--metric", choices=["cosine", "euclidean"], default="cosine",
                   help="frame-to-frame similarity of the DTW (default cosine, the "
                        "paper's)")
    e.add_argument("--normalize", default="first_pose_isotropic",
                   choices=list(_NORMALIZE_MODES),
                   help="PoseNormalizer mode (default first_pose_isotropic; the paper: first_pose)")
    e.add_argument("--jitter", action="store_true", dest="jitter",
                   help="skippose-aug also trains on PoseJitter (mirrored/scaled/rotated) "
                        "triplets (the default)")
    e.add_argument("--no-jitter", action="store_false", dest="jitter",
                   help="skippose-aug without PoseJitter")
    e.set_defaults(jitter=True)
    e.add_argument("--mirror", action="store_true", dest="mirror",
                   help="also register the mirrored training clips (the default)")
    e.add_argument("--no-mirror", action="store_false", dest="mirror",
                   help="dictionary of the training clips as they are")
    e.set_defaults(mirror=True)
    e.add_argument("--scale", choices=["whiten", "standard", "none"], default="whiten",
                   help="whiten (default) or standardise the embeddings before DTW, or not")
    e.add_argument("--no-scale", action="store_const", const="none", dest="scale",
                   help="same as --scale none")
    e.add_argument("--shrinkage", type=_shrinkage, default=1e-3,
                   help="the whitener's shrinkage, added to every variance relative to the "
                        "largest (default 0.001; with --scale whiten)")
    e.add_argument("--center", type=_fraction, default=0.0,
                   help="fraction of each clip's own mean embedding subtracted after the "
                        "scaling (SequenceCenterer; default 0, none)")
    e.add_argument("--contrastive", type=float, default=0.0,
                   help="weight of the view-invariance term of the Skip-Pose methods "
                        "(not in the paper; default 0)")
    e.add_argument("--n-neighbors", type=_int_at_least(1), default=1,
                   help="dictionary clips that vote on a test clip's action (default 1, "
                        "the paper's 1-NN)")
    e.add_argument("--max-epochs", type=_int_at_least(1), default=100,
                   help="most epochs of the neural embedders, which stop early on 10 %% "
                        "of the training clips (default 100; at most 30 with --quick)")
    e.add_argument("--random-state", type=_seed_list, default=[0], metavar="SEED[,SEED...]",
                   help="seed of the neural embedders (default 0); several (e.g. 0,1,2) run every "
                        "seeded method once per seed and report the mean and its standard "
                        "deviation (PCA, unseeded, runs once)")
    e.add_argument("--compare", type=_method_pair, default=None, metavar="METHOD,BASELINE",
                   help="print METHOD's accuracy and macro AP minus BASELINE's with paired "
                        "bootstrap intervals over the test clips (e.g. skippose-aug,pca)")
    e.add_argument("--classes", default=None,
                   help="comma-separated subset of action classes (quick checks)")
    e.add_argument("--quick", action="store_true",
                   help="at most 30 epochs and, unless --methods / --splits say otherwise, "
                        "split 1 with PCA and Skip-Pose only (under a minute)")
    e.add_argument("--set", action="append", default=[], metavar="METHOD:NAME=VALUE",
                   dest="settings",
                   help="per-method override of a setting above, repeatable, e.g. "
                        "--set pca:window=8 --set skippose-aug:scale=standard")
    e.add_argument("--output", default="skippose_results",
                   help="folder for results.json and the figures (default "
                        "skippose_results)")
    e.add_argument("--save-embedders", action="store_true",
                   help="also write every fitted embedder to OUTPUT/embedders/ (what it "
                        "learnt and its settings, no pickle; load with "
                        "sklearn_skippose.embedding.load_embedder)")
    c = sub.add_parser("compare", help="accuracy difference of two methods of a saved run, "
                                        "with a bootstrap interval over the test clips")
    c.add_argument("results", help="results.json written by skippose evaluate, or its folder")
    c.add_argument("methods", type=_method_pair, metavar="METHOD,BASELINE",
                   help="the method and the baseline it is compared with, e.g. "
                        "skippose-aug,pca")
    c.add_argument("--confidence", type=float, default=0.95,
                   help="level of the bootstrap intervals (default 0.95)")
    c.add_argument("--n-resamples", type=int, default=10_000,
                   help="bootstrap resamples of the test clips (default 10000)")
    c.add_argument("--random-state", type=int, default=0, help="seed of the resampling (default 0)")
    return parser


def _main(argv):
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "show-versions":
        show_versions()
        return 0
    if args.command == "summary":
        return _with_data(_summary, args)
    if args.command == "compare":
        return _compare(args)
    if not args.contrastive >= 0:
        parser.error("--contrastive must be >= 0")
    if args.methods is None:
        args.methods = "pca,skippose" if args.quick else "pca,skippose,skippose-aug"
    if args.splits is None:
        args.splits = [1] if args.quick else [1, 2, 3]
    if args.quick:
        args.max_epochs = min(args.max_epochs, 30)
    args.method_settings = _parse_set(parser, args.settings)
    return _with_data(_evaluate, args)


def _with_data(command, args):
    """Run ``command``; a missing data folder ends it with the loader's message."""
    try:
        return command(args)
    except DataNotFoundError as exc:
        raise SystemExit(f"skippose {args.command}: {exc}") from None


if __name__ == "__main__":
    sys.exit(main())
