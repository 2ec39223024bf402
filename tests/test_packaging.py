"""The oldest-versions CI run pins exactly the floors pyproject.toml declares,
and .ci/run runs the README's test command."""

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _pins():
    pins = {}
    for line in (ROOT / ".ci" / "oldest-requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            req = Requirement(line)
            pins[req.name.lower()] = req
    return pins


def _floor(req):
    lows = [Version(s.version) for s in req.specifier if s.operator == ">="]
    assert len(lows) == 1, f"{req} should have one lower bound (>=)"
    return lows[0]


def test_oldest_requirements_pin_the_declared_floors():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = _pins()
    declared = [Requirement(r) for r in project["dependencies"]]
    declared += [Requirement(r) for r in project["optional-dependencies"]["test"]]
    for req in declared:
        name = req.name.lower()
        if name == "torch":  # only the local 2.13 CPU wheel is installable here
            continue
        assert name in pins, f"{name} has no pin in .ci/oldest-requirements.txt"
        floor = _floor(req)
        pin = pins[name]
        exact = [s.version for s in pin.specifier if s.operator == "=="]
        if not exact:  # left free (hypothesis): it must still admit the floor
            assert pin.specifier.contains(floor), f"{pin} excludes the floor of {req}"
            continue
        version = Version(exact[0])
        assert req.specifier.contains(version), f"{pin} is outside {req}"
        # the oldest release of the floor's series: 1.26 -> 1.26.x, 0.8 -> 0.8.x
        assert version.release[: len(floor.release)] == floor.release, (
            f"{pin} is not the floor of {req}")


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    block = readme.split("Tests (this is what `.ci/run` runs")[1].split("```bash\n")[1]
    command = block.split("\n```")[0].strip()
    assert command in ci.splitlines()
