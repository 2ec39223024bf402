"""The code a reader copies first runs as printed: the README's Python blocks
and the Getting started page's, on the real data.

Each page's blocks run in order in one namespace, as a reader pastes them.
Two edits are made to the text, and each is checked to have happened, so a
change of the page cannot silently skip it: the data folder
``../shared/data`` becomes the test's data folder, and
``SkipPoseEmbedder(window=4)`` trains for one epoch instead of up to 100.
Names the pages leave to the reader (``query_clip``, ``recordings``,
``coco_clips``, ``clips``, ``y``) are given real or realistic values first.

The user guide's blocks are fragments that use the reader's variables;
each runs in a namespace that holds them (real JHMDB clips, a pipeline,
embedded features, a pose estimator's keypoints), and what it names as a
result is checked. For them and the two pages above every import from the
package must resolve and every keyword passed to the package's classes,
functions and methods must be one they take. And every command printed in a
docs code block (``skippose ...``, ``python benchmarks/...``) is accepted by
the command line or script it names.
"""

import copy
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
FAST = ("SkipPoseEmbedder(window=4)", "SkipPoseEmbedder(window=4, max_epochs=1, random_state=0)")


def _markdown_python_blocks(path):
    return re.findall(r"^```python\n(.*?)^```", path.read_text(), re.M | re.S)


def _rst_literal_blocks(path):
    """The indented blocks after a paragraph ending in ``::``, dedented."""
    lines = path.read_text().split("\n")
    blocks, i = [], 0
    while i < len(lines):
        if lines[i].rstrip().endswith("::") and not lines[i].lstrip().startswith(".."):
            j = i + 1
            body = []
            while j < len(lines) and (lines[j].startswith("    ") or not lines[j].strip()):
                body.append(lines[j][4:])
                j += 1
            blocks.append("\n".join(body).strip() + "\n")
            i = j
        else:
            i += 1
    return blocks


def _prepared(code, data_home):
    """The page's code with the two edits of the module docstring, and how
    many times each was made."""
    n_data = code.count('"../shared/data"')
    n_fast = code.count(FAST[0])
    code = code.replace('"../shared/data"', repr(str(data_home))).replace(*FAST)
    return code, n_data, n_fast


def _coco_clips(n_clips, rng):
    """Clips of COCO's 17 keypoints as a pose estimator gives them: ``x, y,
    confidence`` per keypoint, some confidences low."""
    clips = []
    for _ in range(n_clips):
        t = int(rng.integers(20, 40))
        xy = 160 + 40 * rng.normal(size=(1, 17, 2)) + np.cumsum(rng.normal(size=(t, 17, 2)), 0)
        conf = rng.uniform(0.0, 1.0, size=(t, 17, 1))
        clips.append(np.concatenate([xy, conf], axis=2))
    return clips


@pytest.fixture
def plain_matplotlib():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def test_readme_python_blocks_run(data_home, tmp_path, monkeypatch, plain_matplotlib):
    from sklearn_skippose.datasets import load_jhmdb

    blocks = _markdown_python_blocks(ROOT / "README.md")
    assert len(blocks) >= 5, "the README's Python blocks were not found"
    code, n_data, n_fast = _prepared("\n".join(blocks), data_home)
    assert n_data >= 1 and n_fast >= 2
    monkeypatch.chdir(tmp_path)  # save_params writes next to the reader
    jhmdb = load_jhmdb(data_home)
    rng = np.random.default_rng(0)
    ns = {
        # a JHMDB clip to look for, among recordings of which the 8th is that clip
        "query_clip": jhmdb.data[100],
        "recordings": list(jhmdb.data[93:110]),
        "coco_clips": _coco_clips(4, rng),
    }
    exec(compile(code, "README.md", "exec"), ns)

    # "each finds itself first"
    np.testing.assert_array_equal(ns["idx"][:, 0], [0, 1, 2])
    assert ns["idx"].shape == ns["scores"].shape == (3, 5)
    # the query is found where it is, in its own recording
    matches = ns["matches"]
    assert matches.sequence[0] == 7 and len(matches.score) == 10
    # the pose estimator's clips get JHMDB actions
    assert ns["labels"].shape == (4,) and set(ns["labels"]) <= set(jhmdb.target)
    # the file read back embeds as the trained embedder does
    trained = ns["pipe"].named_steps["skipposeembedder"]
    assert (tmp_path / "skippose_T4.npz").is_file()
    Z = ns["X"][:2]
    np.testing.assert_array_equal(ns["emb"].transform(Z), trained.transform(Z))


def test_getting_started_python_blocks_run(data_home, tmp_path, monkeypatch,
                                           plain_matplotlib):
    from sklearn_skippose.datasets import load_jhmdb

    shell = ("python -m pip", "$ skippose", "skippose ")
    blocks = [b for b in _rst_literal_blocks(ROOT / "docs" / "getting_started.rst")
              if not b.startswith(shell)]
    assert len(blocks) >= 4, "the page's Python blocks were not found"
    code, n_data, n_fast = _prepared("\n".join(blocks), data_home)
    assert n_data >= 1 and n_fast >= 3
    monkeypatch.chdir(tmp_path)
    jhmdb = load_jhmdb(data_home, classes=["clap", "golf", "walk"])
    rng = np.random.default_rng(0)
    # clips of a 60 fps camera as the pose estimator gives them (JHMDB's 15
    # joints, x, y, confidence), and their actions
    clips = []
    for x in jhmdb.data[:12]:
        poses = x[~np.isnan(x).all(axis=1)].reshape(-1, 15, 2)
        poses = np.repeat(poses, 2, axis=0)  # 30 fps to 60
        clips.append(np.concatenate([poses, rng.uniform(0.2, 1.0, poses[..., :1].shape)], 2))
    ns = {"clips": clips, "y": jhmdb.target[:12]}
    exec(compile(code, "getting_started.rst", "exec"), ns)

    np.testing.assert_array_equal(ns["idx"][:, 0], [0, 1, 2])
    assert len(ns["matches"].score) == 5 and ns["matches"].score[0] <= 1 + 1e-9
    assert ns["model"].predict(ns["X"]).shape == (12,)
    assert (tmp_path / "skippose_T4.npz").is_file()
    Z = ns["Z"]
    assert Z.shape[0] == 2 and np.isfinite(Z[0, 0]).all()


# ---------------------------------------------------------------------------
# What the pages' blocks name exists: every import from the package
# resolves, and every keyword given to the package's classes, functions and
# methods is one they take (a cheap check that names the culprit; the
# fragments are also run, at the end of this file).

SHELL = ("skippose ", "$ skippose", "python -m ", "python benchmarks/", "pip ")


def _package_callables():
    """Public classes and functions of the package by name, and its public
    methods by name (a method name maps to every class that has it)."""
    import importlib
    import inspect

    names, methods = {}, {}
    for mod in ("", ".augmentation", ".datasets", ".embedding", ".evaluation", ".metrics",
                ".model_selection", ".neighbors", ".plotting", ".preprocessing", ".utils"):
        module = importlib.import_module("sklearn_skippose" + mod)
        for name in module.__all__:
            obj = getattr(module, name)
            if callable(obj):
                names[name] = obj
            if inspect.isclass(obj):
                for meth, fn in inspect.getmembers(obj, callable):
                    if not meth.startswith("_"):
                        methods.setdefault(meth, []).append(fn)
    return names, methods


def _accepts(fn, keyword):
    import inspect

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return True
    return keyword in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


@pytest.mark.parametrize("page", ["docs/user_guide.rst", "docs/getting_started.rst",
                                  "README.md"])
def test_doc_blocks_name_what_exists(page):
    import ast
    import importlib

    path = ROOT / page
    blocks = (_markdown_python_blocks(path) if page.endswith(".md")
              else [b for b in _rst_literal_blocks(path) if not b.startswith(SHELL)])
    assert blocks, f"no code blocks found in {page}"
    names, methods = _package_callables()
    problems = []
    for i, code in enumerate(blocks):
        try:
            tree = ast.parse(code)
        except SyntaxError as exc:
            problems.append(f"block {i}: not Python ({exc.msg}, line {exc.lineno})")
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "sklearn_skippose"):
                module = importlib.import_module(node.module)
                problems += [f"block {i}: {node.module} has no {a.name}" for a in node.names
                             if not hasattr(module, a.name)]
            if not isinstance(node, ast.Call):
                continue
            keywords = [k.arg for k in node.keywords if k.arg is not None]
            if isinstance(node.func, ast.Name) and node.func.id in names:
                fn = names[node.func.id]
                problems += [f"block {i}: {node.func.id}() takes no {k}=" for k in keywords
                             if not _accepts(fn, k)]
            elif isinstance(node.func, ast.Attribute) and node.func.attr in methods:
                fns = methods[node.func.attr]
                problems += [f"block {i}: no .{node.func.attr}() takes {k}=" for k in keywords
                             if not any(_accepts(fn, k) for fn in fns)]
    assert not problems, f"{page}:\n" + "\n".join(problems)


# ---------------------------------------------------------------------------
# The commands the pages print in their code blocks (the results page names
# one for every number it quotes) are ones the command line and the
# benchmark scripts accept: each is parsed, and checked as far as its
# script checks arguments before it loads data, which is where it stops.

PLACEHOLDERS = {"K": "1", "W": "4"}  # "--split K", "--window W": one of several runs


def _documented_commands():
    import shlex

    found = []
    for page in sorted((ROOT / "docs").glob("*.rst")):
        for block in _rst_literal_blocks(page):
            for line in re.sub(r"\\\n\s*", " ", block).splitlines():
                line = line.strip().removeprefix("$ ")
                if line.startswith(("skippose ", "python -m sklearn_skippose ",
                                    "python benchmarks/")):
                    words = [PLACEHOLDERS.get(w, w) for w in shlex.split(line, comments=True)]
                    found.append(pytest.param(words, id=f"{page.name}:{' '.join(words)[:60]}"))
    return found


class _Stop(Exception):
    """Raised where a script would start loading data."""


@pytest.mark.parametrize("words", _documented_commands())
def test_documented_commands_are_accepted(words, monkeypatch, capsys):
    from tests.conftest import load_benchmark

    if words[0] == "skippose" or words[:3] == ["python", "-m", "sklearn_skippose"]:
        import sklearn_skippose.__main__ as cli

        argv = words[1:] if words[0] == "skippose" else words[3:]
        for name in ("_evaluate", "_summary", "_compare"):
            monkeypatch.setattr(cli, name, lambda args: 0)
        try:
            status = cli.main(argv)
        except SystemExit as exc:
            pytest.fail(f"{' '.join(words)}: refused: {exc} {capsys.readouterr().err}")
        assert status == 0
        return
    script = words[1]
    mod = load_benchmark(Path(script).stem)
    for loader in ("load_jhmdb", "load_h36m"):
        if hasattr(mod, loader):
            monkeypatch.setattr(mod, loader, lambda *a, **k: (_ for _ in ()).throw(_Stop()))
    try:
        mod.main(words[2:])
    except _Stop:
        pass  # the arguments were all accepted
    except SystemExit as exc:
        pytest.fail(f"{' '.join(words)}: refused: {exc} {capsys.readouterr().err}")
    else:
        pytest.fail(f"{script} ran without loading data; the test expected it to")


def test_documented_commands_were_found():
    commands = _documented_commands()
    assert len(commands) >= 25
    assert any(p.values[0][1] == "benchmarks/select_settings.py" for p in commands)


# ---------------------------------------------------------------------------
# The user guide's fragments also run: each in a namespace of the names a
# reader has at that point (the package's public names, the scikit-learn
# classes the page uses, and the reader's data: JHMDB clips, a fitted
# pipeline, embedded features, a pose estimator's keypoints), with
# ``SkipPoseEmbedder`` trained for one epoch and the one elided argument
# list, ``MocapProjection(...)``, given. What a fragment says it computes is
# checked where it names a result.

GUIDE_EDITS = (
    ("SkipPoseEmbedder(", "SkipPoseEmbedder(max_epochs=1, random_state=0, "),
    ("MocapProjection(...)", "MocapProjection(n_samples=64, random_state=0)"),
)


def _guide_fragments():
    blocks = [b for b in _rst_literal_blocks(ROOT / "docs" / "user_guide.rst")
              if not b.startswith(SHELL)]
    return [pytest.param(i, code, id=f"fragment{i}:{code.splitlines()[0][:40]}")
            for i, code in enumerate(blocks)]


@pytest.fixture(scope="module")
def reader(data_home):
    """What a reader of the user guide holds: the names the page assumes are
    imported and the data it calls ``X``, ``clips``, ``pipe``, ``Z`` ..."""
    from sklearn.cluster import DBSCAN, SpectralClustering
    from sklearn.manifold import Isomap
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline

    import sklearn_skippose as sp
    from sklearn_skippose.datasets import load_jhmdb
    from sklearn_skippose.metrics import dtw_subsequence_search
    from sklearn_skippose.model_selection import PredefinedSplits
    from sklearn_skippose.utils import keypoints_to_dataset

    jhmdb = load_jhmdb(data_home, classes=["clap", "golf", "pour", "walk"])
    rng = np.random.default_rng(0)
    coco_clips = _coco_clips(6, rng)
    ns = {name: getattr(sp, name) for name in sp.__all__}
    ns.update(np=np, make_pipeline=make_pipeline, GridSearchCV=GridSearchCV,
              SpectralClustering=SpectralClustering, DBSCAN=DBSCAN, Isomap=Isomap,
              dtw_subsequence_search=dtw_subsequence_search,
              keypoints_to_dataset=keypoints_to_dataset)
    train, test = np.flatnonzero(jhmdb.splits[:, 0] == 1), np.flatnonzero(jhmdb.splits[:, 0] == 2)
    pipe = make_pipeline(sp.PoseNormalizer(mode="first_pose_isotropic"),
                         sp.PCAEmbedder(window=4), sp.SequenceWhitener(),
                         sp.DTWNearestNeighbors(aggregate="mean"))
    features = make_pipeline(sp.PoseNormalizer(mode="first_pose_isotropic"),
                             sp.PCAEmbedder(window=4), sp.SequenceWhitener())
    features.fit(jhmdb.data[train])
    Z_train, Z_test = features.transform(jhmdb.data[train]), features.transform(jhmdb.data[test])
    clips = jhmdb.data[train[::2]]
    emb = sp.SkipPoseEmbedder(window=4, n_components=64, max_epochs=1, random_state=0)
    ns.update(
        jhmdb=jhmdb, X=keypoints_to_dataset(coco_clips, min_confidence=0.3),
        keypoint_clips=coco_clips, clips=clips, new_clips=jhmdb.data[test[:5]],
        more_clips=jhmdb.data[test[5:9]], X_train=jhmdb.data[train],
        y_train=jhmdb.target[train], pipe=pipe, cv=PredefinedSplits(jhmdb.splits),
        grid={"dtwnearestneighbors__aggregate": ["sum", "mean"]}, features=features, Z=Z_train,
        Z_train=Z_train, Z_test=Z_test, Z_partial=Z_test[0, :6], j=3, poses_train=jhmdb.data[train],
        poses_test=jhmdb.data[test], recordings=list(jhmdb.data[test[:12]]),
        library=Z_test[:12], query=jhmdb.data[test[4]], queries=list(jhmdb.data[test[:3]]),
        emb=emb.fit(clips))
    return ns


@pytest.mark.parametrize("index, code", _guide_fragments())
def test_user_guide_fragments_run(index, code, reader, tmp_path, monkeypatch,
                                  plain_matplotlib):
    if "dask" in code:
        pytest.importorskip("dask.distributed")
        code = code.replace('Client("scheduler-address:8786")', "Client(processes=False)")
    for old, new in GUIDE_EDITS:
        code = code.replace(old, new)
    monkeypatch.chdir(tmp_path)  # caches and saved files land here
    ns = dict(reader)
    for name in ("pipe", "features", "emb"):  # a fragment's fit must not reach the next
        ns[name] = copy.deepcopy(reader[name])
    if "keypoints_to_dataset(" in code:  # a pose estimator's x, y, confidence
        ns["clips"] = reader["keypoint_clips"]
    try:
        exec(compile(code, f"user_guide.rst fragment {index}", "exec"), ns)
    finally:
        if "client" in ns:
            ns["client"].close()

    # what the fragment says it computes, where it names a result
    import ast

    made = {n.id for n in ast.walk(ast.parse(code))
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    n_clips, n_dict = len(reader["clips"]), len(reader["Z"])
    if "graph" in made:
        assert ns["graph"].shape == (n_dict, n_dict) and ns["graph"].diagonal().sum() == 0
        assert ns["labels"].shape == ns["dense_groups"].shape == (n_dict,)
    if "xy" in made:
        assert ns["labels"].shape == (n_clips,) and ns["xy"].shape == (n_clips, 2)
    if "scores" in made:
        assert ns["idx"].shape == ns["scores"].shape == (len(reader["new_clips"]), 5)
        assert ns["index"].n_samples_fit_ == n_clips + len(reader["more_clips"])
    if "matches" in made:
        assert len(ns["matches"].score) == 10
        if "profile" in code:  # the query is the 5th recording
            assert ns["matches"].sequence[0] == 4
    if "best" in made:  # a training clip, whose action names the partial clip
        assert 0 <= ns["best"] < len(reader["Z_train"])
    if "X_mirrored" in made:
        assert ns["X_mirrored"].shape == reader["X"].shape
    if "y_pred" in made:
        assert ns["y_pred"].shape == (len(reader["Z_test"]),)
        assert set(ns["y_pred"]) <= set(reader["y_train"])
    if "X" in made:  # a pose estimator's clips, as JHMDB's 15 joints or COCO's 17
        n_joints = 15 if "coco_to_jhmdb" in code else 17
        clips = reader["keypoint_clips"]
        assert ns["X"].shape == (len(clips), max(map(len, clips)), 2 * n_joints)
    if "partial_fit(pipe[:-1]" in code:  # the mirrored clips join the dictionary
        assert ns["pipe"][-1].n_samples_fit_ == 2 * len(reader["X_train"])
    if "load_params" in code:
        Z = reader["clips"][:2]
        np.testing.assert_array_equal(ns["emb"].transform(Z), reader["emb"].transform(Z))
        assert (tmp_path / "skippose_T4.npz").is_file()


def test_user_guide_fragments_were_found():
    fragments = _guide_fragments()
    assert len(fragments) >= 15
    code = "\n".join(p.values[1] for p in fragments)
    for old, _ in GUIDE_EDITS:
        assert old in code, f"the test edits {old!r}, which the user guide no longer has"
