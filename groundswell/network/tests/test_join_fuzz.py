"""Whatever people type into the join form: a clear answer, never a 500, never half a person."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundswell.activity.models import Activity
from groundswell.people.models import EmailAddress, Person

text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    given_name=text,
    family_name=text,
    email=st.one_of(text, st.emails()),
    postal_code=st.one_of(text, st.sampled_from(["10001", "94110-1234", "SW1A 1AA"])),
    ref=text,
    via=text,
)
def test_join_never_fails_badly(given_name, family_name, email, postal_code, ref, via):
    Person.objects.all().delete()
    data = {
        "given_name": given_name,
        "family_name": family_name,
        "email": email,
        "postal_code": postal_code,
        "ref": ref,
        "via": via,
    }
    response = Client().post("/join", data)
    assert response.status_code in (302, 400)
    people = Person.objects.count()
    if response.status_code == 400:
        assert people == 0 and EmailAddress.objects.count() == 0 and Activity.objects.count() == 0
    else:
        assert people == 1 and EmailAddress.objects.count() == 1 and Activity.objects.count() == 1
