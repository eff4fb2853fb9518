"""The admin reads as Groundswell: its own header, each app named once and plainly, and every
list and add page answers a superuser with the header and no misspelt names."""

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse

from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(MemberFactory.create(given_name="Ali", role=Role.ADMIN))
    return client


def test_the_index_names_the_site_and_no_app_twice(staff_client):
    html = staff_client.get(reverse("admin:index")).content.decode()
    assert "<title>Run the movement | Groundswell admin</title>" in html
    assert "Groundswell admin" in html and "Django administration" not in html
    apps = re.findall(r'<caption>\s*<a[^>]*class="section"[^>]*>([^<]+)</a>', html)
    assert apps and len(apps) == len(set(apps)), apps
    models = re.findall(r'<th scope="row"[^>]*><a[^>]*>([^<]+)</a>', html)
    for app in apps:  # "People > People": an app and one of its models under one name
        assert app not in models, app
    assert "Groups" not in models  # roles live on the user


def test_no_model_name_is_misspelt():
    for model in admin.site._registry:
        plural = str(model._meta.verbose_name_plural)
        assert not plural.endswith(("sss", "ys")) or plural.endswith("days"), plural
        assert plural != f"{model._meta.verbose_name}s" or not str(model._meta.verbose_name).endswith("s")


def test_every_list_and_add_page_answers_with_the_header(staff_client):
    seen = 0
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        for page in ("changelist", "add"):
            try:
                url = reverse(f"admin:{info[0]}_{info[1]}_{page}")
            except NoReverseMatch:
                continue
            response = staff_client.get(url)
            if page == "add" and response.status_code == 403:  # the admin says it can't add these
                assert not model_admin.has_add_permission(response.wsgi_request)
                continue
            assert response.status_code == 200, url
            html = response.content.decode()
            assert "Groundswell admin" in html, url
            assert "addresss" not in html.lower(), url
            seen += 1
    assert seen >= 15
