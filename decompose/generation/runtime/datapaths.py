"""Data folders the monolith names relative to its working folder, found beside the code instead.

A monolith started from its project folder reads `StaticFiles(directory="lnbits/static")` or Jinja
templates from `"app/templates"`: paths relative to the working folder, which is the project root.
A service runs from elsewhere (its Lambda task folder, its tests' scratch folder), so generation
rewrites each such literal into `found("lnbits/static")`, which looks for it under the working
folder first (the monolith's own behaviour), then under each entry of sys.path, where the shared
layer and the service keep the packages and the data copied beside them.
Standard library only: this runs in the monolith's interpreter (CPython 3.9+).
"""

import os
import sys


def found(relative):
    """The first existing `relative` under the working folder or a sys.path entry; as given when none has it
    (the monolith's own error then tells what is missing)."""
    if os.path.exists(relative):
        return relative
    for entry in sys.path:
        candidate = os.path.join(entry or os.curdir, relative)
        if entry and os.path.exists(candidate):
            return candidate
    return relative


def make_working_folders(relatives):
    """The monolith's empty package folders (decompose.generation.cwdpaths.working_folders) under this
    process's working folder, where its code builds their paths; one that cannot be made (a read-only
    Lambda task folder) is left to the monolith's own error."""
    for relative in relatives:
        try:
            os.makedirs(relative, exist_ok=True)
        except OSError:
            pass
