"""The policy files as they are read: no database, so nothing to clean up."""

import pytest


@pytest.fixture(autouse=True)
def _clean() -> None:
    """Overrides the suite's database clean-up: these tests touch no database."""
