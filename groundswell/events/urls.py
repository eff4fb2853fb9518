from django.urls import path

from groundswell.events import views

app_name = "events"
urlpatterns = [
    path("events/", views.find, name="find"),
    path("events/host/", views.host, name="host"),
    path("events/review/", views.review, name="review"),
    path("events/mine/", views.mine, name="mine"),
    path("events/feed/<str:token>.ics", views.my_feed, name="my_feed"),
    path("campaigns/<slug:slug>/", views.campaign, name="campaign"),
    path("campaigns/<slug:slug>/events.ics", views.campaign_feed, name="campaign_feed"),
    path("events/<uuid:event_uuid>/", views.detail, name="detail"),
    path("events/<uuid:event_uuid>/rsvp/", views.rsvp, name="rsvp"),
    path("events/<uuid:event_uuid>/rsvp/cancel/", views.leave, name="leave"),
    path("events/<uuid:event_uuid>/manage/", views.manage, name="manage"),
    path("events/<uuid:event_uuid>/edit/", views.edit, name="edit"),
    path("events/<uuid:event_uuid>/cancel/", views.cancel_event, name="cancel_event"),
    path("events/<uuid:event_uuid>/again/", views.again, name="again"),
    path("events/<uuid:event_uuid>/message/", views.message_attendees, name="message"),
    path("events/<uuid:event_uuid>/report/", views.report, name="report"),
    path("events/<uuid:event_uuid>/attendees.csv", views.attendees_csv, name="attendees_csv"),
    path("events/<uuid:event_uuid>/event.ics", views.ics, name="ics"),
    path("rsvp/<str:token>/cancel/", views.cancel, name="cancel"),
]
