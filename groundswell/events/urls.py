from django.urls import path

from groundswell.events.views import attending, calendars, finding, host_tools, hosting

app_name = "events"
urlpatterns = [
    path("events/", finding.find, name="find"),
    path("events/host/", hosting.host, name="host"),
    path("events/review/", hosting.review, name="review"),
    path("events/mine/", calendars.mine, name="mine"),
    path("events/feed/<str:token>.ics", calendars.my_feed, name="my_feed"),
    path("campaigns/", calendars.campaigns, name="campaigns"),
    path("campaigns/<slug:slug>/", calendars.campaign, name="campaign"),
    path("campaigns/<slug:slug>/events.ics", calendars.campaign_feed, name="campaign_feed"),
    path("events/<uuid:event_uuid>/", attending.detail, name="detail"),
    path("events/<uuid:event_uuid>/rsvp/", attending.rsvp, name="rsvp"),
    path("events/<uuid:event_uuid>/rsvp/cancel/", attending.leave, name="leave"),
    path("events/<uuid:event_uuid>/rsvp/done/", attending.rsvp_done, name="rsvp_done"),
    path("events/<uuid:event_uuid>/contact/", attending.contact, name="contact"),
    path("events/<uuid:event_uuid>/manage/", host_tools.manage, name="manage"),
    path("events/<uuid:event_uuid>/edit/", hosting.edit, name="edit"),
    path("events/<uuid:event_uuid>/cancel/", hosting.cancel_event, name="cancel_event"),
    path("events/<uuid:event_uuid>/again/", hosting.again, name="again"),
    path("events/<uuid:event_uuid>/invitation/", hosting.new_invitation, name="new_invitation"),
    path("events/<uuid:event_uuid>/message/", host_tools.message_attendees, name="message"),
    path("events/<uuid:event_uuid>/report/", host_tools.report, name="report"),
    path("events/<uuid:event_uuid>/attendees.csv", host_tools.attendees_csv, name="attendees_csv"),
    path("events/<uuid:event_uuid>/event.ics", calendars.ics, name="ics"),
    path("rsvp/<str:token>/cancel/", attending.cancel, name="cancel"),
    path("events/cohost/<str:token>/", hosting.cohost, name="cohost"),
]
