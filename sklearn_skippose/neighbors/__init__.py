"""Nearest-neighbour classification and retrieval of feature sequences under DTW."""

from ._dtw_knn import DTWNearestNeighbors
from ._index import DTWNeighborsIndex
from ._subsequence import DTWSubsequenceIndex
from ._transformer import DTWNeighborsTransformer

__all__ = ["DTWNearestNeighbors", "DTWNeighborsIndex", "DTWNeighborsTransformer",
           "DTWSubsequenceIndex"]
