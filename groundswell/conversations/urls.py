"""Threads, posts and moderation (mounted at the site's root: paths begin with threads/ and
moderation/)."""

from groundswell.conversations.views import moderation, threads

app_name = "conversations"
urlpatterns = [*moderation.urlpatterns, *threads.urlpatterns]
