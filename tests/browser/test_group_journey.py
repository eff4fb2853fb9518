"""A member organizes with neighbours, on a phone: find a group near 94110 → join it → reply
in its thread with a link and a tagged image → a leader makes her a core member ("events
coordinator") → she writes to the whole group → a member flags a spammer's post and a leader
hides it → the tag page shows her image.

Images are made here with Pillow (a JPEG carrying GPS coordinates, which the site strips);
their variants are made on commit, as the in-process job queue runs them.
"""

import io
import re

import pytest
from PIL import Image

from groundswell.accounts.actors import actor_for_person
from groundswell.activity.models import Activity, Verb
from groundswell.conversations.models import Flag, Media, ModerationAction, Post
from groundswell.conversations.services import posting
from groundswell.groups.models import Membership
from groundswell.groups.services import membership as groups
from groundswell.messaging.models import Delivery, Message
from tests.browser.checks import assert_accessible
from tests.browser.test_friend_journey import textbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
GROUP = "Mission Tenants Union"
THREAD = "Saturday canvass on Valencia"


def new_page(context):
    context.set_default_timeout(10_000)
    return context.new_page()


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def photo_with_gps() -> bytes:
    """A small JPEG whose EXIF holds a GPS position (the site must not keep it)."""
    image = Image.new("RGB", (640, 480), "seagreen")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (37.0, 45.0, 0.0), 3: "W", 4: (122.0, 25.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_find_join_post_a_tagged_image_get_a_role_write_flag_hide_and_the_tag_page(
    browser, signed_in, live_server, settings, make_member, tmp_path
):
    settings.SITE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path
    leader = make_member("Lena", postal_code="94110")
    maya = make_member("Maya", postal_code="94110")
    nia = make_member("Nia", postal_code="94110")
    spammer = make_member("Sam", postal_code="94110")
    group = groups.start_group(
        actor=actor_for_person(leader.person),
        details=groups.GroupDetails(
            name=GROUP,
            description="Renters in the **Mission** organizing for fair rents.",
            agreements="- Be kind to each other\n- No selling",
            postal_code="94110",
        ),
    )
    for member in (nia, spammer):
        groups.join_group(actor=actor_for_person(member.person), group=group)
    thread = posting.start_thread(
        actor=actor_for_person(leader.person), on=group, title=THREAD, raw="Who's in for Saturday at 10?"
    )
    spam = posting.reply(
        actor=actor_for_person(spammer.person), thread=thread, raw="Buy my tote bags at 20% off!"
    )

    # 1. Maya looks for a group near her on her phone and finds it, nearest first.
    page = new_page(signed_in(maya, **PHONE))
    page.goto(f"{live_server.url}/groups/")
    textbox(page, "ZIP code or city").fill("94110")
    page.get_by_role("button", name="Search").tap()
    page.get_by_role("link", name=GROUP).wait_for()
    assert_accessible(page)
    fits_the_phone(page)
    page.get_by_role("link", name=GROUP).tap()
    page.get_by_role("heading", level=1, name=GROUP).wait_for()

    # 2. She joins.
    page.get_by_role("button", name="Join this group").tap()
    page.get_by_text("You're a member").wait_for()
    assert Membership.objects.get(group=group, person=maya.person).status == Membership.Status.ACTIVE
    assert Activity.objects.filter(person=maya.person, verb=Verb.JOINED_GROUP, object_id=group.pk).exists()
    assert_accessible(page)
    fits_the_phone(page)

    # 3. She replies in the group's thread with a link and a tagged photo.
    page.get_by_role("link", name=THREAD).tap()
    page.get_by_role("heading", level=1, name=THREAD).wait_for()
    textbox(page, "Your reply").fill("Count me in! Turf maps: https://example.org/turf")
    page.get_by_text("Add images, a link or tags").first.tap()
    page.get_by_label("Images (optional)", exact=True).set_input_files(
        files=[{"name": "canvass.jpg", "mimeType": "image/jpeg", "buffer": photo_with_gps()}]
    )
    textbox(page, "Describe the images (optional)").fill("Our canvass team on Valencia Street")
    textbox(page, "Tags (optional)").fill("canvass, mission")
    page.get_by_role("button", name="Post your reply").tap()
    page.get_by_text("Count me in!").wait_for()
    post = Post.objects.get(thread=thread, author=maya.person)
    image = Media.objects.get(post=post, kind=Media.Kind.IMAGE)
    assert sorted(tag.slug for tag in image.tags.all()) == ["canvass", "mission"]
    with Image.open(image.image.open("rb")) as stored:
        assert not stored.getexif().get(0x8825), "the GPS position is gone"
    assert Media.objects.filter(
        post=post, kind=Media.Kind.LINK, link__url="https://example.org/turf"
    ).exists()
    page.reload()
    # Waits for it: a lazy image has no size until it loads.
    page.get_by_role("img", name="Our canvass team on Valencia Street").wait_for(state="visible")
    assert_accessible(page)
    fits_the_phone(page)

    # 4. The leader makes her a core member, the group's events coordinator.
    lead = new_page(signed_in(leader, viewport={"width": 1280, "height": 900}))
    lead.goto(f"{live_server.url}/groups/{group.slug}/lead/")
    row = lead.locator(f"#m-{maya.person.uuid}")
    row.get_by_text("Role or remove").click()
    row.get_by_label("Role", exact=True).select_option("core")
    row.get_by_label("Core role's name").fill("Events coordinator")
    row.get_by_role("button", name="Save the role").click()
    lead.locator(f"#m-{maya.person.uuid}").get_by_text("Core: Events coordinator").wait_for()
    mine = Membership.objects.get(group=group, person=maya.person)
    assert (mine.role, mine.core_title) == (Membership.Role.CORE, "Events coordinator")
    assert Activity.objects.filter(person=maya.person, verb=Verb.BECAME_CORE, actor=leader.person).exists()

    # 5. As its events coordinator she writes to the whole group.
    page.goto(f"{live_server.url}/groups/{group.slug}/")
    page.get_by_role("link", name="Write to the group").tap()
    textbox(page, "Subject").fill("Canvass this Saturday")
    textbox(page, "Message").fill("Meet at 10 at the library steps. Bring water!")
    page.get_by_role("button", name="Send to the group").tap()
    page.get_by_text(re.compile(r"Your message is on its way to \d+ members")).wait_for()
    message = Message.objects.get(subject="Canvass this Saturday")
    assert message.author_id == maya.person.pk and message.author_role == "a core member of"
    assert set(Delivery.objects.filter(message=message).values_list("person_id", flat=True)) == {
        leader.person.pk,
        nia.person.pk,
        spammer.person.pk,
    }

    # 6. Nia flags the tote-bag post under the group's own agreement; the leader hides it.
    nia_page = new_page(signed_in(nia, **PHONE))
    nia_page.goto(f"{live_server.url}/threads/{thread.uuid}/")
    nia_page.get_by_role("link", name=f"Flag post {spam.number}").tap()
    nia_page.get_by_label("No selling").check()
    nia_page.get_by_role("button", name="Flag the post").tap()
    nia_page.get_by_text("You flagged this").wait_for()
    assert Flag.objects.get(post=spam).agreement == "No selling"
    assert_accessible(nia_page)
    lead.goto(f"{live_server.url}/threads/{thread.uuid}/")
    lead.get_by_role("link", name=f"Hide post {spam.number}").click()
    textbox(lead, "Why").fill("Selling breaks our agreements")
    lead.get_by_role("button", name="Hide the post").click()
    lead.wait_for_url(f"**/threads/{thread.uuid}/**")
    spam.refresh_from_db()
    assert spam.hidden_at is not None and spam.hidden_by_id == leader.person.pk
    assert ModerationAction.objects.filter(action="hide", post=spam, group=group).exists()
    nia_page.reload()
    assert "tote bags" not in nia_page.inner_text("main")

    # 7. The tag page, the movement's gallery, shows her photo.
    page.goto(f"{live_server.url}/tags/canvass/")
    # Waits for it: a lazy image has no size until it loads.
    page.get_by_role("img", name="Our canvass team on Valencia Street").wait_for(state="visible")
    assert_accessible(page)
    fits_the_phone(page)
