from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "groundswell.network"
    label = "network"
    verbose_name = "Recruiting network"
