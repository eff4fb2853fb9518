"""The XSS corpus (xss_corpus.py) through members' media: every payload as an image's alt
text, as tags and as a linked page's card (its Open Graph title and description, and its
<title>, served by a page server of the test's own), through the real reply form; the
thread page, the tag pages and the tags index hold no executable markup."""

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from groundswell.conversations.models import LinkCard, Media, Tag
from groundswell.conversations.tests.helpers import start
from groundswell.conversations.tests.test_linkcards import page_server  # noqa: F401 (a fixture)
from groundswell.conversations.tests.test_xss import executable
from groundswell.conversations.tests.xss_corpus import PAYLOADS


def _png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "purple").save(out, "PNG")
    return SimpleUploadedFile("x.png", out.getvalue(), content_type="image/png")


def _card_page(payload: str) -> bytes:
    quoted = html.escape(payload, quote=True)  # as a page would carry it in an attribute
    return (
        f'<html><head><meta property="og:title" content="{quoted}">'
        f'<meta property="og:description" content="{quoted} {quoted}">'
        f'<meta property="og:image" content="javascript:alert(1)"><title>{payload}</title></head></html>'
    ).encode()


@pytest.mark.django_db
def test_no_payload_in_media_reaches_a_page_as_executable_markup(
    cast,
    client_for,
    page_server,  # noqa: F811 (the fixture imported above)
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path
    settings.GROUNDSWELL_RATE_LIMITS = {**settings.GROUNDSWELL_RATE_LIMITS, "post": ""}
    thread = start(cast.member, cast.group, title="Photos")
    member = client_for(cast.member)
    reply_url = reverse("conversations:reply", args=[thread.uuid])
    pages: dict[str, str] = {}
    for i, payload in enumerate(PAYLOADS):
        page_server.pages[f"/card/{i}"] = (200, {"Content-Type": "text/html"}, _card_page(payload))
        data = {
            "raw": f"Photo {i}",
            "images": [_png()],
            "alt_text": payload[:300],
            "link": page_server.url(f"/card/{i}"),
            "tags": payload,
        }
        with django_capture_on_commit_callbacks(execute=True):
            response = member.post(reply_url, data)
        if response.status_code == 400:  # a tag refused (invisible characters): the form says so
            pages[f"refused form {i}"] = response.content.decode()
            data["images"], data["tags"] = [_png()], f"xss-{i}"
            with django_capture_on_commit_callbacks(execute=True):
                response = member.post(reply_url, data)
        assert response.status_code == 302, (payload, response.content.decode()[-2000:])
    assert LinkCard.objects.filter(status=LinkCard.Status.READY).count() == len(PAYLOADS)
    assert Media.objects.filter(kind=Media.Kind.IMAGE, status=Media.Status.READY).count() == len(PAYLOADS)
    assert not Tag.objects.filter(slug__regex="[<>\"'&\u202a-\u202e\u2066-\u2069\u200b]").exists()
    assert not LinkCard.objects.filter(title__regex="[\u202a-\u202e\u2066-\u2069\u200b]").exists()
    assert not LinkCard.objects.exclude(image_url="").exists()  # javascript: pictures dropped

    thread_url = reverse("conversations:thread", args=[thread.uuid])
    for page in (1, 2):
        pages[f"thread {page}"] = member.get(f"{thread_url}?page={page}").content.decode()
    assert "alert(1)" in pages["thread 1"]  # the words are shown, as words
    pages["tags"] = member.get(reverse("conversations:tags")).content.decode()
    for tag in Tag.objects.all():
        pages[f"tag {tag.slug}"] = member.get(reverse("conversations:tag", args=[tag.slug])).content.decode()
    found = {name: problems for name, body in pages.items() if (problems := executable(body))}
    assert found == {}
