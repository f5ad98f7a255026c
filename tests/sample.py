"""Where the sample monolith and its test suite are, and how to record it (shared by the tests)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_monolith"
SUITE = str(SAMPLE / "tests")
# This test polls until a background thread has delivered: how many polls it records depends on timing,
# so its scenario differs from run to run (the recorder reports it as unstable). Contracts need repeatable tests.
POLLING = "--deselect=sample_monolith/tests/test_sm_notifications.py::test_background_worker_delivers_after_commit"
WORLD = (SAMPLE / "contracts.toml").read_text()  # the sample's [contracts] tables


# A known failure of the converged sample's services behind the gateway (strict xfail in tests/e2e/test_gateway.py).
GATEWAY_IMAGE_UPLOAD = ("seen when #23's converge crossing was fixed (the services' own target passes every route, "
                        "tests/e2e/test_contracts_services.py): through `gateway up` with every route on the services, "
                        "POST /api/images breaks 13 of 13 recorded answers; not investigated yet")
