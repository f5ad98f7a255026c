"""Where the sample monolith and its test suite are, and how to record it (shared by the tests)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_monolith"
SUITE = str(SAMPLE / "tests")
# This test polls until a background thread has delivered: how many polls it records depends on timing,
# so its scenario differs from run to run (the recorder reports it as unstable). Contracts need repeatable tests.
POLLING = "--deselect=sample_monolith/tests/test_sm_notifications.py::test_background_worker_delivers_after_commit"
WORLD = (SAMPLE / "contracts.toml").read_text()  # the sample's [contracts] tables

