"""Quill: a small publishing API."""
