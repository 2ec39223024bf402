"""Utilities for the NaN-padded pose-sequence data model."""

from ._sequences import (
    check_sequence_dataset,
    keypoint_mask,
    sequence_lengths,
    to_sequence_dataset,
)

__all__ = [
    "check_sequence_dataset",
    "keypoint_mask",
    "sequence_lengths",
    "to_sequence_dataset",
]
