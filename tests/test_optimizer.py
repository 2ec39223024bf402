"""The neural embedders' optimizer: chosen by name or class, with its arguments
routed by the ``optimizer__`` prefix (skorch's convention)."""

import io
from inspect import signature

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sklearn_skippose import AutoencoderEmbedder, PoseNormalizer, SkipPoseEmbedder
from sklearn_skippose.embedding import load_embedder

FAST = dict(window=2, n_components=8, max_epochs=3, batch_size=64, random_state=0)
EMBEDDERS = [SkipPoseEmbedder, AutoencoderEmbedder]


@pytest.fixture(scope="module")
def clips(jhmdb):
    """Normalised real JHMDB clips: 20 of split 1's training set."""
    X = PoseNormalizer().fit_transform(jhmdb.data)
    return X[np.flatnonzero(jhmdb.splits[:, 0] == 1)[::27]]


def _weights(est):
    return {k: v.detach().clone() for k, v in est.module_.state_dict().items()}


def _same_weights(a, b):
    wa, wb = _weights(a), _weights(b)
    return wa.keys() == wb.keys() and all(torch.equal(wa[k], wb[k]) for k in wa)


@pytest.mark.parametrize("Est", EMBEDDERS)
def test_default_is_the_papers_adam(clips, Est):
    # the default, the name in any case and the class train bit-identically
    ref = Est(**FAST).fit(clips)
    for opt in ("Adam", "ADAM", torch.optim.Adam):
        assert _same_weights(Est(optimizer=opt, **FAST).fit(clips), ref)
    # and another optimizer trains differently
    assert not _same_weights(Est(optimizer="sgd", **FAST).fit(clips), ref)


@pytest.mark.parametrize("Est", EMBEDDERS)
def test_routed_arguments_reach_the_optimizer(clips, Est):
    params = dict(FAST, optimizer="sgd", lr=0.05, weight_decay=0.0, validation_fraction=0.0,
                  patience=100)
    down = Est(**params).fit(clips)
    up = Est(**params, optimizer__maximize=True).fit(clips)
    loss_down = [h["train_loss"] for h in down.history_]
    loss_up = [h["train_loss"] for h in up.history_]
    # gradient descent lowers the training loss; maximize=True, routed to
    # torch.optim.SGD, makes it climb instead
    assert loss_down[-1] < loss_down[0]
    assert loss_up[-1] > loss_up[0]
    # a momentum of 0 is SGD's own default: routing it changes nothing
    assert _same_weights(Est(**params, optimizer__momentum=0.0).fit(clips), down)
    assert not _same_weights(Est(**params, optimizer__momentum=0.9).fit(clips), down)


def test_lr_reaches_the_optimizer(clips):
    # lr = 0 and no weight decay: training leaves the initial weights as they are
    still = SkipPoseEmbedder(**FAST, optimizer="sgd", lr=0.0, weight_decay=0.0,
                             optimizer__momentum=0.9).fit(clips)
    init = SkipPoseEmbedder(**dict(FAST, max_epochs=0)).fit(clips)
    assert _same_weights(still, init)


def test_params_api(clips):
    est = SkipPoseEmbedder(optimizer="sgd", optimizer__momentum=0.9)
    assert est.get_params()["optimizer__momentum"] == 0.9
    assert est.get_params(deep=False)["optimizer"] == "sgd"
    assert "optimizer__momentum=0.9" in repr(est)
    twin = clone(est)
    assert twin.get_params() == est.get_params()
    twin.set_params(optimizer__nesterov=True, n_components=8)
    assert twin.optimizer__nesterov is True and twin.n_components == 8
    assert "optimizer__nesterov" not in est.get_params()  # the clone is separate
    # through a pipeline, the step's prefix comes first
    pipe = make_pipeline(PoseNormalizer(), SkipPoseEmbedder(optimizer="sgd"))
    pipe.set_params(skipposeembedder__optimizer__momentum=0.7)
    assert clone(pipe).get_params()["skipposeembedder__optimizer__momentum"] == 0.7
    # GridSearchCV tunes a routed argument (scored by the embedder's own
    # score, minus the reconstruction error; no labels)
    search = GridSearchCV(SkipPoseEmbedder(**dict(FAST, max_epochs=1), optimizer="sgd"),
                          {"optimizer__momentum": [0.0, 0.9]}, cv=2).fit(clips)
    assert search.best_params_["optimizer__momentum"] in (0.0, 0.9)
    assert search.best_estimator_.optimizer__momentum == search.best_params_[
        "optimizer__momentum"]


@pytest.mark.parametrize("Est", EMBEDDERS)
def test_saved_and_loaded(clips, Est):
    est = Est(**FAST, optimizer=torch.optim.SGD, optimizer__momentum=0.5).fit(clips)
    f = io.BytesIO()
    est.save_params(f)
    f.seek(0)
    back = load_embedder(f)
    # a torch.optim class is saved by its name, its routed arguments with it
    assert back.optimizer == "sgd" and back.optimizer__momentum == 0.5
    np.testing.assert_array_equal(back.transform(clips), est.transform(clips))
    # training on goes on with the same optimizer
    back.set_params(warm_start=True, max_epochs=1).fit(clips)


def test_optimizer_of_ones_own_is_not_saved(clips):
    class Mine(torch.optim.SGD):
        pass

    est = SkipPoseEmbedder(**FAST, optimizer=Mine, optimizer__momentum=0.5).fit(clips)
    f = io.BytesIO()
    est.save_params(f)
    f.seek(0)
    back = load_embedder(f)
    # neither the class nor its arguments are restored (they would not fit Adam)
    assert back.optimizer == "adam" and "optimizer__momentum" not in back.get_params()
    f.seek(0)
    again = load_embedder(f, optimizer=Mine, optimizer__momentum=0.5)
    assert again.optimizer is Mine and again.optimizer__momentum == 0.5


@pytest.mark.parametrize("params, err, match", [
    (dict(optimizer="nope"), ValueError, "not an optimizer of torch.optim.*adamw"),
    (dict(optimizer="LBFGS"), ValueError, "closure"),
    (dict(optimizer=torch.optim.LBFGS), ValueError, "closure"),
    (dict(optimizer=3), TypeError, "optimizer must be the name"),
    (dict(optimizer=torch.nn.Linear), TypeError, "optimizer must be the name"),
    (dict(optimizer__lr=0.1), ValueError, "own parameter 'lr'"),
    (dict(optimizer__weight_decay=0.1), ValueError, "own parameter 'weight_decay'"),
    (dict(optimizer__params=[]), ValueError, "network's weights"),
    (dict(optimizer__bogus=1), TypeError, "Adam could not be built.*bogus"),
    (dict(optimizer="sgd", optimizer__momentum=-1.0), ValueError, "SGD could not be built"),
])
def test_bad_optimizer_settings(clips, params, err, match):
    est = SkipPoseEmbedder(**FAST, **params)
    with pytest.raises(err, match=match):
        est.fit(clips)
    assert not hasattr(est, "module_")  # refused before anything was built


def test_unknown_keywords():
    with pytest.raises(TypeError, match="unexpected keyword argument 'lr_rate'.*optimizer__"):
        SkipPoseEmbedder(lr_rate=0.1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'optimizer__'"):
        AutoencoderEmbedder(optimizer__=1)
    with pytest.raises(ValueError, match="names no optimizer argument"):
        SkipPoseEmbedder().set_params(optimizer__=1)
    with pytest.raises(ValueError, match="Invalid parameter"):
        SkipPoseEmbedder().set_params(module__hidden=3)


@pytest.mark.parametrize("Est", EMBEDDERS)
def test_init_and_set_params_do_not_raise(Est):
    # scikit-learn's check_do_not_raise_errors_in_init_or_set_params, over the
    # real parameter names (the check itself also passes one named "kwargs",
    # see tests/test_common.py) and a routed one: validation waits for fit
    names = [p for p, v in signature(Est).parameters.items() if v.kind != v.VAR_KEYWORD]
    assert "optimizer" in names
    for value in [-1, 3.0, "helloworld", np.array([1.0, 4.0]), [1], {}, []]:
        params = {name: value for name in names + ["optimizer__momentum"]}
        est = Est(**params)
        est.set_params(**params)
        assert est.get_params()["optimizer__momentum"] is value
