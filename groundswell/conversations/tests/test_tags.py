"""Tags and the tag pages (the movement's gallery): tags cleaned and shared; a tag's page
shows public groups' media only — never a private group's, a hidden, held or deleted post's,
nor an event's — newest first, paged, with a pinned query count; the index of the most used."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from groundswell.conversations import services
from groundswell.conversations.models import Media, Post, Tag
from groundswell.conversations.services.media import clean_tags
from groundswell.conversations.tests.helpers import actor_of, start
from groundswell.core.errors import ValidationError
from groundswell.events.tests.factories import EventFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.GROUNDSWELL_RATE_LIMITS = {**settings.GROUNDSWELL_RATE_LIMITS, "post": ""}


def image() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "orange").save(out, "PNG")
    return SimpleUploadedFile("p.png", out.getvalue(), content_type="image/png")


# --- Cleaning -----------------------------------------------------------------------------


def test_tags_are_lower_case_slugs_without_repeats():
    assert clean_tags(" Rally, #Canvass 2026 ,rally,, Grève générale ") == [
        ("rally", "rally"),
        ("canvass-2026", "canvass-2026"),
        ("grève-générale", "grève-générale"),
    ]
    assert clean_tags("") == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("ral\u202ely", "invisible or direction-changing"),
        ("zero\u200bwidth", "invisible or direction-changing"),
        ("a\u2066b", "invisible or direction-changing"),
        ("x" * 41, "under 40"),
        (",".join(f"t{n}" for n in range(9)), "at most 8"),
        ("!!!", "isn't a tag"),
        ("<script>", "script"),
    ],
)
def test_bad_tags_are_refused_with_a_reason(text, problem):
    if problem == "script":  # markup is not refused: it is made a plain slug
        assert clean_tags(text) == [("script", "script")]
        return
    with pytest.raises(ValidationError, match=problem) as refused:
        clean_tags(text)
    assert refused.value.field == "tags"


@pytest.mark.django_db
def test_a_tag_is_one_row_shared_by_every_post(cast):
    thread = start(cast.member, cast.group)
    for user in (cast.member, cast.core):
        services.reply(actor=actor_of(user), thread=thread, raw="x", images=[image()], tags="Rally, march")
    assert sorted(Tag.objects.values_list("slug", flat=True)) == ["march", "rally"]
    assert Tag.objects.get(slug="rally").media.count() == 2


# --- The tag page -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_tag_page_shows_only_public_shown_posts(cast, private_cast, client_for, settings):
    me = actor_of(cast.member)
    shown = start(cast.member, cast.group, title="Public thread")

    def tagged(actor, thread, words):
        return services.reply(
            actor=actor, thread=thread, raw=words, link=f"https://example.org/{words}", tags="rally"
        )

    tagged(me, shown, "visible-one")
    hidden = tagged(actor_of(cast.core), shown, "hidden-one")
    services.hide_post(actor=actor_of(cast.leader), post=hidden, reason="No")
    deleted = tagged(me, shown, "deleted-one")
    services.delete_post(actor=me, post=deleted)
    secret = start(private_cast.member, private_cast.group, title="Members only")
    tagged(actor_of(private_cast.member), secret, "private-one")
    settings.HOLD_FIRST_POSTS = True
    newcomer_thread = start(cast.leader, cast.group, title="Leader's")
    from groundswell.conversations.tests.helpers import add_member

    newcomer = cast.outsider
    add_member(cast.group, newcomer)
    held = tagged(actor_of(newcomer), newcomer_thread, "held-one")
    assert Post.objects.get(pk=held.pk).held
    settings.HOLD_FIRST_POSTS = False
    host = cast.core
    event = EventFactory.create(host=host)
    tagged(actor_of(host), start(host, event, title="Event talk"), "event-one")

    url = reverse("conversations:tag", args=["rally"])
    for client in (
        Client(),
        client_for(cast.member),
        client_for(private_cast.member),
        client_for(cast.organizer),
    ):
        body = client.get(url).content.decode()
        assert "example.org/visible-one" in body
        for gone in ("hidden-one", "deleted-one", "private-one", "held-one", "event-one", "Members only"):
            assert gone not in body, gone
    assert "#rally" in Client().get(reverse("conversations:tags")).content.decode()


@pytest.mark.django_db
def test_a_tag_only_a_private_group_used_looks_like_no_tag_at_all(private_cast):
    secret = start(private_cast.member, private_cast.group)
    services.reply(
        actor=actor_of(private_cast.member), thread=secret, raw="x", images=[image()], tags="secret-plan"
    )
    used = Client().get(reverse("conversations:tag", args=["secret-plan"]))
    unused = Client().get(reverse("conversations:tag", args=["never-used"]))
    assert used.status_code == unused.status_code == 200
    assert "Nothing public carries this tag yet" in used.content.decode()
    assert "secret-plan" not in Client().get(reverse("conversations:tags")).content.decode()


@pytest.mark.django_db
def test_the_tag_page_is_newest_first_and_paged_with_few_queries(cast, django_assert_max_num_queries):
    thread = start(cast.member, cast.group)
    for n in range(30):
        services.reply(
            actor=actor_of(cast.member), thread=thread, raw=f"https://example.org/n{n:02d}", tags="rally"
        )
    images = [
        services.reply(actor=actor_of(cast.core), thread=thread, raw="pic", images=[image()], tags="rally")
    ]
    assert Media.objects.filter(post=images[0]).exists()
    client = Client()
    url = reverse("conversations:tag", args=["rally"])
    client.get(url)
    # The count and the page (posts, threads, groups, authors and cards joined in).
    with django_assert_max_num_queries(2):
        first = client.get(url).content.decode()
    assert first.index("being prepared") < first.index("example.org/n29") < first.index("example.org/n10")
    assert "example.org/n05" not in first
    with django_assert_max_num_queries(2):
        second = client.get(f"{url}?page=2").content.decode()
    assert "example.org/n05" in second
    with django_assert_max_num_queries(1):
        client.get(reverse("conversations:tags"))


@pytest.mark.django_db
def test_a_thread_page_with_media_costs_one_query_more(cast, django_assert_max_num_queries):
    thread = start(cast.member, cast.group)
    for n in range(10):
        services.reply(
            actor=actor_of(cast.member),
            thread=thread,
            raw=f"https://example.org/{n}",
            images=[image()],
            tags="a,b",
        )
    client = Client()
    url = reverse("conversations:thread", args=[thread.uuid])
    client.get(url)
    with django_assert_max_num_queries(4):  # the thread, its last number, the posts, their media
        body = client.get(url).content.decode()
    assert body.count('class="link-bare"') == 10
