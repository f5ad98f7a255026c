"""Runtime support copied into every generated service's shared layer as the package `decompose_runtime`.

Modules here are copied verbatim, so they import only the standard library, chalice, apig_wsgi,
mangum and each other (relative imports); never `decompose.*`.
"""
