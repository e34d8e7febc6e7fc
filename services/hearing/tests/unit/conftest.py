"""Fixtures of hearing's domain tests (the builders are in hearing.testing)."""

import pytest

from hearing import testing


@pytest.fixture
def arrive() -> testing.Arrive:
    return testing.arrive()
