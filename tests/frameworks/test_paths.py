"""Path templates: each framework's converter syntax to `{name}`, the ones that cross slashes to `{name+}`."""

import pytest

from decompose.frameworks.paths import normalise


@pytest.mark.parametrize(("path", "template"), [
    ("/files/<path:path>", "/files/{path+}"),  # Flask and Django
    ("/themes/<theme>/static/<path:path>", "/themes/{theme}/static/{path+}"),
    ("/<path:route>", "/{route+}"),
    ("docs/<path:page>/", "/docs/{page+}/"),
    ("/legacy/{rest:path}", "/legacy/{rest+}"),  # FastAPI and Starlette
    ("/legacy/{path:rest}", "/legacy/{rest+}"),  # django-ninja: the converter first
    ("/legacy/{path:path}", "/legacy/{path+}"),
    ("/raw/<path:name>.txt", "/raw/{name}.txt"),  # beside text: one segment, API Gateway has no other form
    ("/a/<int:id>", "/a/{id}"),
    ("/a/{id:int}", "/a/{id}"),
    ("/a/{int:id}", "/a/{id}"),
    ("/a/{path}", "/a/{path}"),  # a variable named path is one segment
])
def test_converters_become_variables_and_slash_crossing_ones_are_greedy(path, template):
    assert normalise(path) == template
