"""Sphinx configuration (numpydoc, autosummary, sphinx-gallery, pydata theme)."""

import os
from pathlib import Path

import sklearn_skippose

project = "sklearn_skippose"
release = version = sklearn_skippose.__version__
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
templates_path = ["_templates"]
numpydoc_show_class_members = False
html_theme = "pydata_sphinx_theme"
# no intersphinx: the build machines reach no documentation sites
# the gallery reads the data through the package loaders: point SKIPPOSE_DATA
# at the folder holding jhmdb/ and h36m/ before building
os.environ.setdefault(
    "SKIPPOSE_DATA", str(Path(__file__).resolve().parents[1].parent / "shared" / "data")
)
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "abort_on_example_error": True,
    "within_subsection_order": "FileNameSortKey",
    # examples run in as many processes as sphinx's -j asks for (serial
    # without it); an example runs about as fast on one core as on two, so
    # `-j auto` on 2 cores nearly halves the gallery's time (.ci/run)
    "parallel": True,
}
html_theme_options = {"navigation_with_keys": False}
exclude_patterns = ["_build"]


def _skip_routing(app, what, name, obj, skip, options):
    # scikit-learn's generated set_*_request methods document sklearn's own
    # glossary, which this site does not have
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return skip


def setup(app):
    app.connect("autodoc-skip-member", _skip_routing)
