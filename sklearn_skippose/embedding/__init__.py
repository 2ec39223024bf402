"""Window embedders: Skip-Pose Vectors and the paper's two baselines.

All three share one contract: ``fit(X)`` on unlabeled NaN-padded sequences,
``transform(X)`` to the NaN-padded sequence of window embeddings
``(n_sequences, max_windows, n_components)``.
"""

from ._pca import PCAEmbedder
from ._skippose import (
    AutoencoderEmbedder,
    AutoencoderNet,
    SkipPoseEmbedder,
    SkipPoseNet,
    view_info_nce,
)

__all__ = [
    "AutoencoderEmbedder",
    "AutoencoderNet",
    "PCAEmbedder",
    "SkipPoseEmbedder",
    "SkipPoseNet",
    "view_info_nce",
]
