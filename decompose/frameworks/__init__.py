"""Framework detectors: routes (Flask, FastAPI, Django/DRF) and ORM models (SQLAlchemy,
Flask-SQLAlchemy, Django). Each route detector has a `framework` name and `routes(index)`."""

from decompose.frameworks import fastapi, flask
from decompose.frameworks.django import DjangoRoutes

ROUTE_DETECTORS = (flask.detector(), fastapi.detector(), DjangoRoutes())
