from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("groundswell.web.urls")),
    path("", include("groundswell.network.urls")),
    path("", include("groundswell.events.urls")),
    path("", include("groundswell.messaging.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

if settings.BENCH_VIEWS:
    from bench.baseline import urlpatterns as bench_urlpatterns

    urlpatterns += bench_urlpatterns
