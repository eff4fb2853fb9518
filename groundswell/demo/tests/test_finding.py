"""A first search from a big city finds the demo's events, however small the movement."""

import pytest
from django.test import Client
from django.urls import reverse

from groundswell.demo.generator import make_movement
from groundswell.demo.geography import METROS
from groundswell.events.models import Event

pytestmark = pytest.mark.django_db


def test_a_first_search_near_a_big_city_finds_an_event_within_25_miles():
    make_movement(people=300, seed=3)
    for near in ("10001", "60614", "90012", "78701", *(code for code, _ in METROS)):
        page = Client().get(reverse("events:find"), {"near": near}).content.decode()
        assert "mi away" in page and "No events within" not in page, near
    # and the movement still reaches small towns
    towns = Event.objects.exclude(locality__in=["New York", "Los Angeles", "Chicago"]).exclude(locality="")
    assert towns.values("locality").distinct().count() > 20
