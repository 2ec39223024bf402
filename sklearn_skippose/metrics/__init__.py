"""Scores for classification and retrieval, and DTW similarity between sequences."""

from ._dtw import dtw_alignment, dtw_band, pairwise_dtw_scores
from ._scores import (
    macro_average_precision,
    macro_average_precision_scorer,
    mean_per_class_accuracy,
    mean_per_class_accuracy_scorer,
)
from ._retrieval import retrieval_average_precision, retrieval_precision
from ._subsequence import dtw_subsequence_search

__all__ = [
    "dtw_alignment",
    "dtw_band",
    "dtw_subsequence_search",
    "macro_average_precision",
    "macro_average_precision_scorer",
    "mean_per_class_accuracy",
    "mean_per_class_accuracy_scorer",
    "pairwise_dtw_scores",
    "retrieval_average_precision",
    "retrieval_precision",
]
