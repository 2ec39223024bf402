"""Window embedders: Skip-Pose Vectors and the paper's two baselines.

All three share one contract: ``fit(X)`` on unlabeled NaN-padded sequences,
``transform(X)`` to the NaN-padded sequence of window embeddings
``(n_sequences, max_windows, n_components)``.
"""

from ._pca import PCAEmbedder
from ._persistence import load_embedder
from ._skippose import AutoencoderEmbedder, SkipPoseEmbedder

# the torch modules load torch: imported on first use (PEP 562)
_TORCH_NAMES = ("AutoencoderNet", "SkipPoseNet", "view_info_nce")


def __getattr__(name):
    if name in _TORCH_NAMES:
        from . import _nets

        return getattr(_nets, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_TORCH_NAMES))


__all__ = [
    "AutoencoderEmbedder",
    "AutoencoderNet",
    "PCAEmbedder",
    "SkipPoseEmbedder",
    "SkipPoseNet",
    "load_embedder",
    "view_info_nce",
]
