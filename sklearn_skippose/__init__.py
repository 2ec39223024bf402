"""sklearn_skippose: unsupervised motion embeddings and DTW retrieval for 2D pose sequences.

An implementation of "Skip-Pose Vectors" (Shirakawa and Kozakaya) as
scikit-learn estimators. Data are NaN-padded ``(n_sequences, max_frames,
n_features)`` arrays (see :mod:`sklearn_skippose.utils`).
"""

from .augmentation import MocapProjection, PoseJitter, mirror_poses
from .embedding import AutoencoderEmbedder, PCAEmbedder, SkipPoseEmbedder
from .neighbors import (DTWNearestNeighbors, DTWNeighborsIndex, DTWNeighborsTransformer,
                        DTWSubsequenceIndex)
from .preprocessing import (FrameRateResampler, KeypointInterpolator, PoseNormalizer,
                            SequenceCenterer, SequenceStandardScaler, SequenceWhitener)
from .utils import show_versions

__version__ = "0.1.0"

__all__ = [
    "AutoencoderEmbedder",
    "DTWNearestNeighbors",
    "DTWNeighborsIndex",
    "DTWNeighborsTransformer",
    "DTWSubsequenceIndex",
    "FrameRateResampler",
    "KeypointInterpolator",
    "MocapProjection",
    "PoseJitter",
    "PCAEmbedder",
    "PoseNormalizer",
    "SequenceCenterer",
    "SequenceStandardScaler",
    "SequenceWhitener",
    "SkipPoseEmbedder",
    "__version__",
    "mirror_poses",
    "show_versions",
]
