"""The viewer's clock, which `{% when %}` compares an event's zone with."""


def test_a_members_clock_is_their_postcodes(make_member, rf, settings) -> None:
    from django.contrib.auth.models import AnonymousUser

    from groundswell.web.context_processors import viewer_time_zone

    settings.TIME_ZONE = "UTC"
    request = rf.get("/")
    request.user = make_member("Cal", postal_code="60614")
    assert viewer_time_zone(request)["viewer_time_zone"]() == "America/Chicago"
    request.user = AnonymousUser()
    assert viewer_time_zone(request)["viewer_time_zone"]() == "UTC"
