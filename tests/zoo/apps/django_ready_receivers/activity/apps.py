from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "activity"
    verbose_name = "Activity feed"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the feed to the library's saves)
