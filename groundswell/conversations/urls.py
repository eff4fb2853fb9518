"""Threads, posts and moderation (mounted at the site's root: paths begin with threads/ and
moderation/)."""

from django.urls import URLPattern

app_name = "conversations"
urlpatterns: list[URLPattern] = []
