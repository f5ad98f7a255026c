"""What the library allows, read by templates of every blueprint."""

SITE = "Shelf"


class Shelf:
    MAX_LOANS = 3
    LOAN_DAYS = 14


class Closed(Exception):
    """The library is closed: every blueprint's views may raise it."""
