"""Fixtures of the contracts tests."""

from __future__ import annotations

import pytest

from decompose.contracts import startdata


@pytest.fixture
def one_app_process(monkeypatch):
    """startdata as in a recorder's process, where one app's engines and MetaData are the only ones: the
    watch is on, and what earlier tests of this worker left alive (an in-process sample app's engine,
    found by its raw-SQL catalog) is not among the noted objects. Engines and MetaData the test builds
    are noted through SQLAlchemy's hooks; the scan of live objects is tested in a subprocess."""
    startdata.watch()
    monkeypatch.setattr(startdata, "_BUILT", {"engines": [], "metadata": []})
