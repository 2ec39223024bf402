"""Sphinx configuration (numpydoc, autosummary, sphinx-gallery, pydata theme)."""

import os
from pathlib import Path

import sklearn_skippose

project = "sklearn_skippose"
release = version = sklearn_skippose.__version__
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
numpydoc_show_class_members = False
html_theme = "pydata_sphinx_theme"
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "sklearn": ("https://scikit-learn.org/stable", None),
}
# the gallery reads the data through the package loaders: point SKIPPOSE_DATA
# at the folder holding jhmdb/ and h36m/ before building
os.environ.setdefault(
    "SKIPPOSE_DATA", str(Path(__file__).resolve().parents[1].parent / "shared" / "data")
)
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
}
exclude_patterns = ["_build"]
