"""Advocacy's pages, under /act/."""

from groundswell.advocacy.views import campaigns, representatives, starting

app_name = "advocacy"
urlpatterns = representatives.urlpatterns + starting.urlpatterns + campaigns.urlpatterns
