from django.urls import path

from groundswell.network import views

app_name = "network"
urlpatterns = [
    path("join", views.join, name="join"),
    path("join/", views.join),
    path("join/welcome/", views.joined, name="joined"),
    path("hub/", views.hub, name="hub"),
    path("hub/contacts/", views.add_contact, name="add_contact"),
    path("hub/share/<slug:channel>/", views.share, name="share"),
]
