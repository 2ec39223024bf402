"""Nearest-neighbour classification and retrieval of feature sequences under DTW."""

from ._dtw_knn import DTWNearestNeighbors

__all__ = ["DTWNearestNeighbors"]
