import os

from django.core.asgi import get_asgi_application

from config.safety import refuse_insecure_production

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

refuse_insecure_production()
