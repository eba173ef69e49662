from django.apps import AppConfig


class CablesConfig(AppConfig):
    name = "cables"
    verbose_name = "Cable archive"

    def ready(self):
        from cablearchive import checks  # noqa: F401  (registers the deploy checks)
