"""Lane stub: replaced by its lane."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
