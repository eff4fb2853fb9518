from django.urls import path

from groundswell.messaging import views

app_name = "messaging"
urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("no-invitations/<str:token>/", views.decline, name="decline"),
]
