"""Backends loaded by name at runtime (see `services.payments`)."""
