"""decompose: take a Python web monolith apart into AWS microservices, one route at a time."""

__version__ = "0.1.0"
