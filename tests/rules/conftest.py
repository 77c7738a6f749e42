"""The regulation's rules as plain functions: no database, so nothing to clean up, and a run
takes a second (mutation testing runs these files once per mutant)."""

import pytest


@pytest.fixture(autouse=True)
def _clean() -> None:
    """Overrides the suite's database clean-up: these tests touch no database."""
