"""Merge fields: parsed without Django's template engine, refused when unknown (the field
named), and filled with values that cannot add markup, lines, headers or recipients."""

import urllib.parse
from email import message_from_string

import pytest
from django.core.mail import EmailMessage
from django.template import Context, Template

from groundswell.advocacy import merge_fields
from groundswell.advocacy.merge_fields import Field, Values, parse
from groundswell.core.errors import ValidationError

EVIL_NAMES = ["<script>alert(1)</script>", "x\r\nBcc: evil@example.org", "x\nSubject: owned", "{{ secret }}"]


def test_a_template_is_text_and_fields():
    template = parse("Hi {target_title} {target_name}, I'm {member_name} from {member_town}.")
    assert template.fields == {"target_title", "target_name", "member_name", "member_town"}
    assert template.parts[0] == "Hi " and template.parts[1] == Field("target_title")


def test_spaces_case_and_double_braces_name_the_same_field():
    values = Values(member_name="Ada Lovelace")
    for text in ("{member_name}", "{ member_name }", "{{member_name}}", "{{ Member_Name }}"):
        assert merge_fields.render_text(text, values) == "Ada Lovelace"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Hi {member_zip}", "{member_zip}"),
        ("Hi {target}", "{target}"),
        ("Hi {{ request.user.email }}", "{request.user.email}"),
        ("{% load static %}", "{%"),
        ("Hi {member_name", "{"),
        ("Hi member_name}", "}"),
        ("Hi {}", "{}"),
    ],
)
def test_an_unknown_field_or_a_stray_brace_is_refused_and_named(text, named):
    with pytest.raises(ValidationError) as refused:
        merge_fields.check(text, field="script")
    assert refused.value.field == "script"
    assert named.split()[0] in refused.value.message


def test_the_error_lists_the_fields_that_exist():
    with pytest.raises(ValidationError, match=r"Use one of: \{member_name\}"):
        merge_fields.check("{member_zip}", field="subject")


def test_django_template_syntax_never_runs():
    """A template is not a Django template: tags and filters are refused, never executed."""
    with pytest.raises(ValidationError):
        merge_fields.render_text("{% now 'Y' %}", Values())
    # A value that looks like a template stays text.
    assert merge_fields.render_text("{member_name}", Values(member_name="{{ settings.SECRET_KEY }}")) == (
        "{{ settings.SECRET_KEY }}"
    )


@pytest.mark.parametrize("name", EVIL_NAMES)
def test_a_value_is_one_line_of_text(name):
    text = merge_fields.render_text(
        "Dear {target_name},\nI am {member_name}.\nThanks", Values(member_name=name)
    )
    assert text.count("\n") == 2  # only the template's own lines
    assert "\r" not in text


@pytest.mark.parametrize("name", EVIL_NAMES)
def test_html_rendering_escapes_values_and_template(name):
    html = merge_fields.render_html("<b>{member_name}</b>\n\nBye", Values(member_name=name))
    assert "<script" not in html and "<b>" not in html
    assert "&lt;b&gt;" in html and "<p>" in html  # the template's own text is escaped too
    # And a page that shows the plain text escapes it as any other text.
    page = Template("{{ text }}").render(
        Context({"text": merge_fields.render_text("{member_name}", Values(member_name=name))})
    )
    assert "<script" not in page


@pytest.mark.parametrize("name", EVIL_NAMES)
def test_a_subject_line_never_carries_a_header(name):
    subject = merge_fields.render_line("From {member_name}\r\nBcc: a@example.org", Values(member_name=name))
    assert "\r" not in subject and "\n" not in subject
    mail = EmailMessage(subject=subject, body="x", from_email="a@example.org", to=["b@example.org"])
    parsed = message_from_string(mail.message().as_string())
    assert parsed["Bcc"] is None and len(parsed.get_all("Subject") or []) == 1


def test_a_subject_is_cut_to_its_length():
    assert len(merge_fields.render_line("{member_name}", Values(member_name="a " * 300), max_length=50)) <= 50


@pytest.mark.parametrize("name", [*EVIL_NAMES, "x&bcc=evil@example.org", "x?cc=evil@example.org#"])
def test_a_mailto_link_keeps_every_value_inside_its_own_part(name):
    body = merge_fields.render_text("I am {member_name}", Values(member_name=name))
    subject = merge_fields.render_line("From {member_name}", Values(member_name=name))
    url = merge_fields.mailto_url("office@senate.example", subject=subject, body=body)
    parsed = urllib.parse.urlsplit(url)
    assert parsed.scheme == "mailto" and parsed.path == "office@senate.example"
    query = urllib.parse.parse_qs(parsed.query)
    assert set(query) == {"subject", "body"}  # no bcc, no cc, nothing added
    assert query["body"] == [body.replace("\n", "\r\n")]
    assert "\r" not in query["subject"][0] and "\n" not in query["subject"][0]


def test_a_mailto_link_needs_a_plain_address():
    assert merge_fields.mailto_url("office@example.org?bcc=evil@example.org") == ""
    assert merge_fields.mailto_url("not an address") == ""
    assert merge_fields.mailto_url("office@example.org") == "mailto:office@example.org"


def test_a_tel_link_dials_digits_only():
    assert merge_fields.tel_url("(202) 224-3121") == "tel:+1-202-224-3121"
    assert merge_fields.tel_url("+1 202 224 3121") == "tel:+1-202-224-3121"
    # An office's extension is dialled too (RFC 3966).
    assert merge_fields.tel_url("(202) 224-3121 ext. 5") == "tel:+1-202-224-3121;ext=5"
    assert merge_fields.tel_url("javascript:alert(1)") == "tel:1"
    assert merge_fields.tel_url("call us") == ""


def test_values_for_a_member_and_a_target(db):
    from groundswell.advocacy.models import Level, Target
    from groundswell.people.models import Person

    target = Target.objects.create(
        name="Alex Padilla", title="Senator", office="U.S. Senate", level=Level.FEDERAL
    )
    person = Person(given_name="Ada", family_name="Lovelace")
    values = merge_fields.values_for(target=target, person=person, town="Oakland")
    assert (
        merge_fields.render_text(
            "{target_title} {target_name} ({target_office}): "
            "{member_first_name} / {member_name} in {member_town}",
            values,
        )
        == "Senator Alex Padilla (U.S. Senate): Ada / Ada Lovelace in Oakland"
    )
    assert merge_fields.values_for().member_name == "a constituent"
