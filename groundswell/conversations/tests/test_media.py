"""Members' images: checked by content (names and browsers' types lie), limits on bytes and
pixels, EXIF and GPS gone, variants made on the worker, stored under random names, all or
nothing with the post; and the image view, per persona, on a public and a private group."""

import io
import struct
import uuid
import zlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from groundswell.conversations import media
from groundswell.conversations.models import Media, Post, Thread
from groundswell.conversations.services import media as media_services
from groundswell.conversations.tests.helpers import actor_of, start
from groundswell.core.errors import ValidationError

# --- Files that are, and are not, what they say ------------------------------------------


def png_bytes(size: tuple[int, int] = (64, 48), color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def gps_jpeg() -> bytes:
    """A JPEG carrying EXIF with a GPS position, a camera model and an orientation."""
    image = Image.new("RGB", (80, 40), "blue")
    exif = Image.Exif()
    exif[0x0110] = "Spy Camera 3000"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° to show upright
    gps = {1: "N", 2: (40.0, 44.0, 55.0), 3: "W", 4: (73.0, 59.0, 11.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims `width` by `height` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
# A GIF header followed by HTML: sniffed as a page by an old browser, if it were ever served raw.
POLYGLOT = b"GIF89a/*<html><script>alert(1)</script></html>*/=1;"


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.GROUNDSWELL_RATE_LIMITS = {**settings.GROUNDSWELL_RATE_LIMITS, "post": ""}
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


# --- The checks ---------------------------------------------------------------------------


def test_a_png_named_jpg_is_a_png():
    checked = media.check_image(upload(png_bytes(), "holiday.jpg"))
    assert checked.extension == "png" and (checked.width, checked.height) == (64, 48)


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (b"just some words, not a picture", "notes.png", "image/png"),
        (SVG, "logo.png", "image/png"),
        (SVG, "logo.svg", "image/svg+xml"),
        (POLYGLOT, "funny.gif", "image/gif"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "scan.jpg", "image/jpeg"),
        (b"BM" + b"\0" * 60, "old.bmp", "image/bmp"),
    ],
    ids=["text as png", "svg as png", "svg", "gif-html polyglot", "pdf as jpg", "bmp"],
)
def test_files_that_are_not_our_image_types_are_refused(data, name, content_type):
    with pytest.raises(ValidationError) as refused:
        media.check_image(upload(data, name, content_type))
    assert refused.value.field == "images"


def test_other_formats_pillow_reads_are_refused():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "BMP")
    with pytest.raises(ValidationError, match="JPEG, PNG, GIF or WebP"):
        media.check_image(upload(out.getvalue(), "x.png", "image/png"))


def test_a_decompression_bomb_is_refused_without_decoding():
    data = bomb_png()
    assert len(data) < 200
    with pytest.raises(ValidationError, match="megapixels"):
        media.check_image(upload(data, "tiny.png", "image/png"))
    # Over our limit but under Pillow's hard one (a warning, not an error): refused too.
    with pytest.raises(ValidationError, match="megapixels"):
        media.check_image(upload(bomb_png(8000, 6000), "big.png", "image/png"))


def test_an_oversized_file_is_refused(monkeypatch):
    monkeypatch.setattr(media, "MAX_BYTES", 1000)
    with pytest.raises(ValidationError, match="too large"):
        media.check_image(upload(png_bytes((300, 300)) + b"\0" * 2000, "big.png"))


def test_exif_and_gps_are_stripped_and_orientation_applied():
    original = Image.open(io.BytesIO(gps_jpeg()))
    assert original.getexif().get(0x8825)  # the fixture really carries GPS
    checked = media.check_image(upload(gps_jpeg()))
    kept = Image.open(io.BytesIO(checked.data))
    assert kept.format == "JPEG"
    assert dict(kept.getexif()) == {}
    assert "exif" not in kept.info and b"Spy Camera" not in checked.data
    assert (kept.width, kept.height) == (40, 80)  # turned upright, then the tag dropped


def test_a_gif_keeps_its_first_frame_as_a_png():
    frames = [Image.new("P", (20, 20), i) for i in (1, 2, 3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    checked = media.check_image(upload(out.getvalue(), "moving.gif", "image/gif"))
    kept = Image.open(io.BytesIO(checked.data))
    assert kept.format == "PNG" and getattr(kept, "n_frames", 1) == 1


def test_a_webp_is_taken():
    out = io.BytesIO()
    Image.new("RGB", (30, 30), "green").save(out, "WEBP")
    assert media.check_image(upload(out.getvalue(), "x.jpeg")).extension == "webp"


# --- Posting with images ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_post_with_images_stores_them_under_random_names_and_makes_variants(
    cast, _media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        thread = start(cast.member, cast.group)
        from groundswell.conversations import services

        post = services.reply(
            actor=actor_of(cast.member),
            thread=thread,
            raw="From the march",
            images=[upload(gps_jpeg(), "../../etc/passwd.jpg"), upload(png_bytes((1500, 900)), "wide.png")],
            tags="March, rally",
        )
    items = list(Media.objects.filter(post=post).order_by("id"))
    assert [item.kind for item in items] == ["image", "image"]
    assert all(item.status == Media.Status.READY for item in items)
    assert items[0].alt_text == f"Image posted by {cast.member.person.short_name}"
    assert "passwd" not in items[0].image.name and items[0].image.name.startswith("media/original/")
    assert set(items[0].variants) == {"480"}  # 40 px wide: only the small copy
    assert set(items[1].variants) == {"480", "1200"}
    with default_storage.open(items[1].variants["480"]) as handle:
        small = Image.open(handle)
        assert small.format == "WEBP" and small.width == 480
    with default_storage.open(items[0].image.name) as handle:
        assert dict(Image.open(handle).getexif()) == {}
    assert sorted(items[0].tags.values_list("slug", flat=True)) == ["march", "rally"]


@pytest.mark.django_db
def test_a_bad_image_refuses_the_whole_post_and_stores_nothing(cast, client_for, _media_root):
    thread = start(cast.member, cast.group)
    before = Post.objects.count()
    response = client_for(cast.member).post(
        reverse("conversations:reply", args=[thread.uuid]),
        {
            "raw": "Two photos",
            "images": [upload(png_bytes(), "good.png"), upload(SVG, "evil.png", "image/png")],
            "tags": "rally",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "“evil.png”: That file isn&#x27;t an image we can take" in body
    assert Post.objects.count() == before and not Media.objects.exists()
    assert stored_files(_media_root) == []


@pytest.mark.django_db
def test_a_failing_transaction_deletes_the_files_it_wrote(cast, _media_root, monkeypatch):
    thread = start(cast.member, cast.group)

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(media_services, "attach", broken)
    from groundswell.conversations import services

    with pytest.raises(RuntimeError):
        services.reply(
            actor=actor_of(cast.member), thread=thread, raw="x", images=[upload(png_bytes(), "a.png")]
        )
    assert stored_files(_media_root) == []
    assert not Post.objects.filter(raw="x").exists()


@pytest.mark.django_db
def test_the_forms_take_images_alt_text_links_and_tags(cast, client_for):
    client = client_for(cast.member)
    form = client.get(reverse("conversations:start", args=["group", cast.group.slug])).content.decode()
    assert 'enctype="multipart/form-data"' in form and 'name="images"' in form and 'name="tags"' in form
    response = client.post(
        reverse("conversations:start", args=["group", cast.group.slug]),
        {
            "title": "Saturday",
            "raw": "See https://example.org/report, too.",
            "images": [upload(png_bytes(), "a.png")],
            "alt_text": "Marchers on Main Street",
            "tags": "canvass-2026",
        },
    )
    assert response.status_code == 302
    thread = Thread.objects.get(title="Saturday")
    kinds = sorted(Media.objects.filter(post__thread=thread).values_list("kind", "alt_text"))
    assert kinds == [("image", "Marchers on Main Street"), ("link", "")]
    page = client.get(reverse("conversations:thread", args=[thread.uuid])).content.decode()
    assert 'alt="Marchers on Main Street"' in page or "Preparing the image" in page
    assert 'href="https://example.org/report"' in page  # the bare link: its card is not ready
    assert reverse("conversations:tag", args=["canvass-2026"]) in page


@pytest.mark.django_db
def test_too_many_images_and_tags_without_media_are_refused(cast, client_for):
    thread = start(cast.member, cast.group)
    url = reverse("conversations:reply", args=[thread.uuid])
    client = client_for(cast.member)
    five = [upload(png_bytes(), f"{n}.png") for n in range(5)]
    assert "at most 4 images" in client.post(url, {"raw": "x", "images": five}).content.decode()
    assert "Tags go on images and links" in client.post(url, {"raw": "x", "tags": "rally"}).content.decode()
    assert not Post.objects.filter(raw="x").exists()


@pytest.mark.django_db
def test_deleting_a_post_deletes_its_images(cast, _media_root, django_capture_on_commit_callbacks):
    from groundswell.conversations import services

    thread = start(cast.member, cast.group)
    with django_capture_on_commit_callbacks(execute=True):
        post = services.reply(
            actor=actor_of(cast.member), thread=thread, raw="x", images=[upload(png_bytes())]
        )
    assert stored_files(_media_root)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_post(actor=actor_of(cast.member), post=post)
    assert stored_files(_media_root) == [] and not Media.objects.exists()


# --- The image view, per persona ----------------------------------------------------------

PERSONAS = ["anonymous", "outsider", "member", "leader", "organizer"]
READS = {
    "public": dict.fromkeys(PERSONAS, True),
    "private": {"anonymous": False, "outsider": False, "member": True, "leader": True, "organizer": True},
}


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", ["public", "private"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_image_view_per_persona(persona, visibility, request, django_capture_on_commit_callbacks):
    c = request.getfixturevalue("cast" if visibility == "public" else "private_cast")
    from groundswell.conversations import services

    with django_capture_on_commit_callbacks(execute=True):
        thread = services.start_thread(
            actor=actor_of(c.member),
            on=c.group,
            title="Photos",
            raw="x",
            images=[upload(png_bytes((900, 600)))],
        )
    item = Media.objects.get(post__thread=thread)
    client = Client()
    if c.persona(persona) is not None:
        client.force_login(c.persona(persona))
    for size in ("full", "480"):
        response = client.get(reverse("conversations:image", args=[item.uuid, size]))
        if READS[visibility][persona]:
            assert response.status_code == 200
            assert response["Content-Type"] == ("image/png" if size == "full" else "image/webp")
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Content-Disposition"].startswith('inline; filename="image.')
            body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
            assert body[:4] in (b"\x89PNG", b"RIFF")
        else:
            assert response.status_code == 404
    # Guessing: another uuid, a size that does not exist, junk.
    for args in (
        [uuid.uuid4(), "full"],
        [item.uuid, "9999"],
        [item.uuid, "..%2F..%2Fsettings.py"],
        ["x", "full"],
    ):
        assert client.get(reverse("conversations:image", args=args)).status_code == 404


@pytest.mark.django_db
def test_a_hidden_posts_image_is_only_for_its_author_and_the_moderators(cast, client_for):
    from groundswell.conversations import services

    thread = start(cast.member, cast.group)
    post = services.reply(actor=actor_of(cast.core), thread=thread, raw="x", images=[upload(png_bytes())])
    services.hide_post(actor=actor_of(cast.leader), post=post, reason="Not ours to share")
    url = reverse("conversations:image", args=[Media.objects.get(post=post).uuid, "full"])
    assert client_for(cast.member).get(url).status_code == 404
    assert Client().get(url).status_code == 404
    assert client_for(cast.core).get(url).status_code == 200
    assert client_for(cast.leader).get(url).status_code == 200


def test_forgetting_a_member_takes_their_images_files_and_all(
    cast, _media_root, django_capture_on_commit_callbacks
):
    """Forgetting someone (`people.services.anonymize_person`) takes their images, not only
    their words: the rows through Media's ON_FORGET, the files after the commit."""
    from groundswell.conversations import services
    from groundswell.people.services import anonymize_person

    thread = start(cast.member, cast.group)
    with django_capture_on_commit_callbacks(execute=True):
        post = services.reply(
            actor=actor_of(cast.member), thread=thread, raw="x", images=[upload(png_bytes())]
        )
    assert stored_files(_media_root)
    with django_capture_on_commit_callbacks(execute=True):
        anonymize_person(person=cast.member.person)
    assert stored_files(_media_root) == [] and not Media.objects.exists()
    post.refresh_from_db()
    assert post.raw == "" and post.cooked == ""
