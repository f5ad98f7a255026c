# Valid Python that libcst's node validation rejects with a bare TypeError (LibCST#1061):
# the analysis must still read it, and did crash on it before parser workers skipped that check.
from pkg import helpers

pick = () if 0 else(lambda:())


def value():
    return helpers.VALUE
