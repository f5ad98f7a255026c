from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "library"

    def ready(self):
        from .phrases import LibraryPhrases  # noqa: F401  (registers the library's wording)
