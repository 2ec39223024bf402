"""Cutting sequences into the fixed-length windows the embedders work on.

Handling of short sequences (documented on the estimators): a sequence with
fewer real frames than needed (``window`` at transform time, ``3 * window``
for a (past, current, future) triplet at fit time) is extended by repeating
its last real frame. So every sequence, even a single frame, gets at least
one window and contributes at least one training triplet.

Missing values (NaN inside real frames: missing keypoints) are returned as
``0`` with a ``0`` in the mask (the paper's binary mask applied by
multiplication), never as NaN.
"""

import numpy as np

__all__ = ["sequence_frames", "window_starts", "gather_windows"]


def sequence_frames(X3, lengths, min_length):
    """Concatenate real frames, padding every sequence to ``min_length``.

    Returns
    -------
    frames : ndarray of shape (n_total_frames, n_features), float32
        Missing values set to 0.
    mask : ndarray of shape (n_total_frames, n_features), float32
        1 where observed.
    offsets, padded_lengths : ndarray of shape (n_sequences,)
        Where each (padded) sequence starts and how long it is.
    """
    n, t, f = X3.shape
    padded = np.maximum(lengths, min_length).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(padded)[:-1]]).astype(np.int64)
    # index of the source frame of every output frame (last frame repeated)
    rel = np.arange(int(padded.sum())) - np.repeat(offsets, padded)
    src_t = np.minimum(rel, np.repeat(lengths, padded) - 1)
    src_s = np.repeat(np.arange(n), padded)
    frames = X3[src_s, src_t].astype(np.float32)
    mask = (~np.isnan(frames)).astype(np.float32)
    frames = np.nan_to_num(frames, nan=0.0)
    return frames, mask, offsets, padded


def window_starts(offsets, lengths, span, stride=1):
    """Absolute start index of every window of ``span`` frames, per sequence.

    Returns
    -------
    starts : ndarray of shape (n_windows,)
        Start frame (in the concatenated frames) of every window.
    owner : ndarray of shape (n_windows,)
        Sequence of every window.
    """
    n_win = (lengths - span) // stride + 1
    n_win = np.maximum(n_win, 0)
    owner = np.repeat(np.arange(len(lengths)), n_win)
    first = np.repeat(offsets, n_win)
    local = np.arange(int(n_win.sum())) - np.repeat(np.cumsum(n_win) - n_win, n_win)
    return (first + local * stride).astype(np.int64), owner


def gather_windows(frames, starts, span):
    """``frames[starts[i] : starts[i] + span]`` for every ``i``, stacked."""
    idx = starts[:, None] + np.arange(span)[None, :]
    return frames[idx]
