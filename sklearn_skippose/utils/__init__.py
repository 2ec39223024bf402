"""Utilities for the NaN-padded pose-sequence data model."""

from ._sequences import (
    check_sequence_dataset,
    keypoint_mask,
    keypoints_to_dataset,
    sequence_lengths,
    to_sequence_dataset,
)
from ._show_versions import show_versions

__all__ = [
    "check_sequence_dataset",
    "keypoint_mask",
    "keypoints_to_dataset",
    "sequence_lengths",
    "show_versions",
    "to_sequence_dataset",
]
