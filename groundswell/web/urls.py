from django.urls import path

from groundswell.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("style/", views.style, name="style"),
    path("privacy/", views.privacy, name="privacy"),
]
