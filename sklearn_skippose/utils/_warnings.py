"""Warnings that name the user's line."""

import os
import sys
import warnings
from pathlib import Path

import joblib
import sklearn

# frames in these folders are skipped: a warning raised while fitting names
# the line that called this package, directly or through scikit-learn
# (``fit_transform``, ``Pipeline.fit``, ``cross_validate``) or joblib (a
# cached or dispatched call)
_INTERNAL = tuple(str(folder) + os.sep for folder in (
    Path(__file__).resolve().parents[1],  # sklearn_skippose/
    Path(sklearn.__file__).resolve().parent, Path(joblib.__file__).resolve().parent))


def warn_user(message, category=UserWarning):
    """Warn with the stack level of the first caller outside this package,
    scikit-learn and joblib (the user's line), as ``warnings.warn(...,
    stacklevel=n)`` with ``n`` counted here; Python 3.12's
    ``skip_file_prefixes``, on 3.11 too. Where every frame is theirs (a joblib
    worker), the warning names the line that raised it.

    Parameters
    ----------
    message : str
        The warning's text.
    category : type of Warning, default=UserWarning
        The warning's class.
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(_INTERNAL):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level if frame is not None else 2)
