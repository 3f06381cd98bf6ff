"""Shared fixtures and the hypothesis profile: no example database, caches under target/ (git-ignored)."""

from __future__ import annotations

import pathlib

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

REPO = pathlib.Path(__file__).resolve().parents[2]

set_hypothesis_home_dir(REPO / "target" / "hypothesis")
settings.register_profile("cape", database=None, deadline=None)
settings.load_profile("cape")


@pytest.fixture
def repo() -> pathlib.Path:
    """The repository root (found from this file, not from the package)."""
    return REPO
