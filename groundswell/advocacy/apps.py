from django.apps import AppConfig


class AdvocacyConfig(AppConfig):
    name = "groundswell.advocacy"
    label = "advocacy"
    verbose_name = "Advocacy"

    def ready(self) -> None:
        # The receivers that tell the district index of a save or delete, in every process
        # (web, worker, shell, commands), not only once the URLs are loaded.
        from groundswell.advocacy import districts  # noqa: F401
