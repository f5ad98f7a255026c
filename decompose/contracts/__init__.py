"""SLA contracts: exchanges recorded from the monolith, compared against any target."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
# the contract modules that run outside decompose, stdlib-first: a service's reset endpoint loads a
# scenario's rows with them (startdata, its Django half, its raw-SQL half: catalog_data; appcall calls
# the app factory as the spec says, with sightings); shipped in the shared layer and, with the
# recorder, into the monolith's interpreter (decompose.interpreter)
SERVICE_RUNTIME = tuple(HERE / name for name in ("startdata.py", "django_data.py", "catalog_data.py", "appcall.py",
                                                 "sightings.py"))
MONOLITH_RUNTIME = (*SERVICE_RUNTIME, HERE / "recorder.py", HERE / "ninja_client.py")
