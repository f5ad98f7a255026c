"""Wording each app declares once, looked up by app name wherever it is shown (the activity feed shows the
library's). A subclass registers itself when its module is imported: each app's ready() imports its own."""

_REGISTRY: dict[str, type] = {}


class Phrases:
    app = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.app] = cls


def phrases(app: str) -> type:
    return _REGISTRY[app]
