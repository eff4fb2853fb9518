"""The `groundswell` console script: Django's manage.py under our own name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.core.servers.basehttp import WSGIServer

    from config.safety import refuse_insecure_production

    # Every command, like the web and the worker, refuses the development key and an unset
    # SITE_URL with DEBUG off: a command run in production signs and links like the site.
    try:
        refuse_insecure_production()
    except ImproperlyConfigured as error:
        sys.exit(f"groundswell: {error}")
    # `make run`'s development server: the default backlog of a few waiting connections
    # resets a burst of signups (a room joining at once); 128 keeps them waiting instead.
    WSGIServer.request_queue_size = 128
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
