"""Photo marketplace monolith: the sample application that `decompose` splits into services."""

__version__ = "1.0.0"
