from django.urls import path

from groundswell.web.my_account import views

app_name = "my_account"
urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/details/", views.details, name="details"),
    path("account/sharing/", views.sharing, name="sharing"),
    path("account/email/", views.email_preferences, name="email"),
    path("account/data/", views.request_data, name="request_data"),
    path("account/data/<str:export_uuid>/", views.download, name="download"),
    path("account/delete/", views.delete, name="delete"),
    path("account/deleted/", views.deleted, name="deleted"),
]
