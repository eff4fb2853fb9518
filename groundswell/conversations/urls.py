"""Threads, posts, moderation and members' media (mounted at the site's root: paths begin
with threads/, moderation/, media/ and tags/)."""

from groundswell.conversations.views import media, moderation, threads

app_name = "conversations"
urlpatterns = [*moderation.urlpatterns, *threads.urlpatterns, *media.urlpatterns]
