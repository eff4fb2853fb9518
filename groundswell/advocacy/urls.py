"""Advocacy's pages, under /act/."""

from groundswell.advocacy.views import campaigns, representatives

app_name = "advocacy"
urlpatterns = representatives.urlpatterns + campaigns.urlpatterns
