"""The friend's landing page: who invited them (first name and town, never more) and what
they are joining."""

import pytest
from django.test import Client
from django.urls import reverse

from groundswell.network.models import ShareCode
from groundswell.network.services import make_share_code

pytestmark = pytest.mark.django_db


def test_a_friend_sees_who_invited_them_and_what_they_join(make_member):
    sam = make_member("Sam", email="sam.private@example.org", postal_code="45402")
    code = ShareCode.objects.get(person=sam.person).code
    page = Client().get(reverse("network:join"), {"ref": code, "via": "whatsapp"}).content.decode()
    assert "Sam" in page and "invited you" in page and "Dayton" in page
    assert "sam.private@example.org" not in page and sam.person.family_name not in page
    assert "Members who host" in page and "a movement" in page  # the numbers and the intro
    assert reverse("web:privacy") in page
    assert "checked" not in page.split('name="email_consent"')[1].split(">")[0]


def test_a_link_handed_out_before_proof_shows_the_typed_name_and_no_town(make_member):
    owner = make_member("Owner", postal_code="45402")
    code = make_share_code(owner.person, shown_name="Typist")
    page = Client().get(reverse("network:join"), {"ref": code.code}).content.decode()
    assert "Typist" in page and "Owner" not in page and "Dayton" not in page


def test_an_unknown_code_is_the_plain_join_page():
    page = Client().get(reverse("network:join"), {"ref": "nosuchcode"}).content.decode()
    assert "invited you" not in page and "<h1" in page
