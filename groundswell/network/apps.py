from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "groundswell.network"
    label = "network"
    verbose_name = "Recruiting network"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from groundswell.network.proof import apply_on_sign_in

        user_logged_in.connect(apply_on_sign_in, dispatch_uid="groundswell-consent-on-proof")
