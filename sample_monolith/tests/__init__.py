"""Test suite of the sample monolith."""
