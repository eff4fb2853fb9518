from django.apps import AppConfig


class AdvocacyConfig(AppConfig):
    name = "groundswell.advocacy"
    label = "advocacy"
    verbose_name = "Advocacy"
