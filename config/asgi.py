import os

from django.core.asgi import get_asgi_application

from config.safety import refuse_insecure_production

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

refuse_insecure_production()

# Read once-per-process tables now, before the first request rather than during it.
from groundswell.people import places  # noqa: E402 (needs the settings loaded above)

places.load()
