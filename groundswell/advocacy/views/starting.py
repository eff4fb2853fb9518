"""Pages: starting and running a campaign or petition (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
