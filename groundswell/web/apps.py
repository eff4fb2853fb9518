from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "groundswell.web"
    label = "web"
    verbose_name = "Website"

    def ready(self) -> None:
        from groundswell.web.admin import hide_duplicates

        hide_duplicates()
