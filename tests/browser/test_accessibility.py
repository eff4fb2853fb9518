"""Every page, as every persona, at phone and desktop width: axe-core finds no WCAG 2.1 A or AA
violation, and nothing is wider than the screen.

axe-core comes from the npm registry (package.json; `make test` runs `npm ci`) and is injected
into the page by Playwright: the site itself never loads it.
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from groundswell.accounts.models import Role
from groundswell.accounts.tests.factories import actor_of
from groundswell.advocacy.tests.campaign_factories import make_campaign, make_petition, make_target
from groundswell.conversations import services as talk
from groundswell.conversations.mentions import mention_text
from groundswell.events import services as event_services
from groundswell.events.models import Event, EventCampaign
from groundswell.events.tests.factories import EventFactory
from groundswell.groups.models import Invitation
from groundswell.groups.services.membership import (
    GroupDetails,
    invitation_token,
    invite,
    join_group,
    start_group,
)
from groundswell.messaging.services import decline_url
from tests.services import require_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 1280]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(
      n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').slice(0, 3).join(' ')),
  }));
}"""

# Wider than the screen: the page scrolls sideways (a phone's worst layout bug).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).replace(/ /g, '.') : ''))
}"""


@dataclass
class World:
    member: object
    host: object
    organizer: object
    admin: object
    outsider: object
    upcoming: Event
    pending: Event
    past: Event
    cancelled: Event
    campaign: EventCampaign
    act: dict[str, str]  # advocacy's pages: campaign and petition slugs, a member's petition
    talk: dict[str, str]  # groups' pages: a public group's slug, a thread's public id


def _world(make_member) -> World:
    host = make_member("Hattie")
    member = make_member("Maya", recruited_by=host.person)
    organizer = make_member("Olu", role=Role.ORGANIZER)
    admin = make_member("Ada", role=Role.ADMIN)
    outsider = make_member("Otto")
    campaign = EventCampaign.objects.create(
        title="Day of Action", slug="day-of-action", approval=EventCampaign.Approval.OPEN
    )
    soon = timezone.now().replace(microsecond=0) + timedelta(days=2)
    upcoming = EventFactory.create(
        host=host,
        title="Block party planning",
        starts_at=soon,
        campaign=campaign,
        time_zone="America/New_York",
    )
    past = EventFactory.create(host=host, title="Last month's canvass", starts_at=soon)
    event_services.rsvp(actor=actor_of(member), event=past)
    began = soon - timedelta(days=30)
    Event.objects.filter(pk=past.pk).update(
        starts_at=began, ends_at=began + timedelta(hours=2), last_ends_at=began + timedelta(hours=2)
    )
    cancelled = EventFactory.create(host=host, title="Rained-out picnic", starts_at=soon + timedelta(days=3))
    event_services.cancel_event(actor=actor_of(host), event=cancelled, reason="Storm warning")
    pending_campaign = EventCampaign.objects.create(title="Chapters", slug="chapters")
    pending = EventFactory.create(
        host=host, title="Chapter meeting", starts_at=soon, campaign=pending_campaign
    )
    event_services.rsvp(actor=actor_of(member), event=upcoming)
    # Advocacy: senators for New York (no boundaries loaded: the state's officials still show),
    # an organizer's call campaign and petition, and a member's petition waiting for review.
    make_target("Ruth Senator", ocd_id="ocd-division/country:us/state:ny")
    call = make_campaign(organizer, title="Call your senators")
    petition = make_petition(organizer, title="Fund the buses")
    theirs = make_petition(member, title="Light the park")
    act = {"campaign": call.slug, "petition": petition.slug, "theirs": str(theirs.uuid)}
    # Groups: the host leads a public group near 10001 that the member belongs to, with a
    # conversation in it (a reply, a mention, a flag for the organizers' queue).
    group = start_group(
        actor=actor_of(host),
        details=GroupDetails(
            name="Chelsea Neighbours",
            description="We meet **every month**.",
            agreements="- Assume good faith\n- No selling",
            postal_code="10001",
        ),
    )
    join_group(actor=actor_of(member), group=group)
    thread = talk.start_thread(
        actor=actor_of(host),
        on=group,
        title="Next meeting",
        raw="Ideas for the agenda? [Notes](https://example.org/)",
    )
    answer = talk.reply(
        actor=actor_of(member), thread=thread, raw=f"{mention_text(host.person)} a bake sale!"
    )
    talk.flag(actor=actor_of(host), post=answer, agreement="No selling", reason="Selling cakes")
    # An invitation to someone we do not know: its page for a visitor, and the page that
    # stops such invitations (both reached from the email, signed in or not).
    invite(actor=actor_of(host), group=group, emails=["friend@example.org"])
    invitation = Invitation.objects.get(email="friend@example.org")
    groups = {
        "group": group.slug,
        "thread": str(thread.uuid),
        "invitation": f"/groups/invitation/{invitation_token(invitation)}/",
        "decline": urlsplit(decline_url("friend@example.org")).path,
    }
    return World(
        member, host, organizer, admin, outsider, upcoming, pending, past, cancelled, campaign, act, groups
    )


def _pages(persona: str, world: World) -> list[str]:
    """The pages a persona meets: the public ones, then what their role opens."""
    public = [
        "/",
        "/events/",
        "/events/?postal_code=10001&radius=25",
        "/events/?postal_code=99999",
        f"/events/{world.upcoming.uuid}/",
        f"/events/{world.cancelled.uuid}/",
        "/campaigns/",
        f"/campaigns/{world.campaign.slug}/",
        "/privacy/",
        "/join/",
        "/no-such-page/",
        "/act/",
        "/act/representatives/?postcode=10001",
        f"/act/campaigns/{world.act['campaign']}/?postcode=10001",
        f"/act/petitions/{world.act['petition']}/",
        "/groups/",
        "/groups/?near=10001",
        f"/groups/{world.talk['group']}/",  # a member's view for the member, the leader's for the host
        f"/threads/{world.talk['thread']}/",
        world.talk["decline"],
    ]
    if persona == "anonymous":
        return [*public, "/accounts/login/code/", "/events/host/", world.talk["invitation"]]
    signed_in = [
        *public,
        "/hub/",
        "/events/mine/",
        "/events/host/",
        "/account/",
        "/account/delete/",
        "/groups/start/",
    ]
    if persona == "member":  # RSVP'd to the upcoming event; started a petition
        return [
            *signed_in,
            f"/events/{world.upcoming.uuid}/rsvp/done/",
            "/act/start/",
            "/act/start/petition/",
            f"/act/petitions/{world.act['theirs']}/manage/",
            "/events/review/",
        ]
    if persona == "outsider":
        return [*signed_in, "/events/review/"]  # the last: a refusal page
    hosting = [
        f"/events/{world.upcoming.uuid}/manage/",
        f"/events/{world.past.uuid}/manage/",
        f"/events/{world.upcoming.uuid}/edit/",
        f"/events/{world.pending.uuid}/",
        f"/events/{world.upcoming.uuid}/cancel/",
    ]
    leading = [
        f"/groups/{world.talk['group']}/lead/",
        f"/groups/{world.talk['group']}/invite/",
        f"/moderation/groups/{world.talk['group']}/",
    ]
    if persona == "host":  # the group's leader
        return [*signed_in, *hosting, *leading]
    staff = [
        *signed_in,
        *hosting,
        "/events/review/",
        "/act/start/campaign/",
        f"/act/petitions/{world.act['theirs']}/manage/",
        f"/act/petitions/{world.act['theirs']}/report/",
        *leading,
        "/moderation/",
    ]
    return [*staff, "/style/"] if persona == "admin" else staff


def _check(page, url: str) -> list[str]:
    page.goto(url)
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes']}" for v in page.evaluate(RUN_AXE, WCAG_AA)
    ]
    wide = page.evaluate(OVERFLOW)
    if wide:
        problems.append(f"wider than the screen: {wide}")
    return problems


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("persona", ["anonymous", "outsider", "member", "host", "organizer", "admin"])
def test_no_page_has_an_accessibility_violation_or_scrolls_sideways(
    persona, width, browser, signed_in, live_server, make_member, settings
) -> None:
    axe = require_axe()
    settings.SITE_URL = live_server.url
    settings.GROUPS_NEED_APPROVAL = False
    world = _world(make_member)
    viewport = {"width": width, "height": 900}
    user = None if persona == "anonymous" else getattr(world, persona)
    context = browser.new_context(viewport=viewport) if user is None else signed_in(user, viewport=viewport)
    context.add_init_script(path=axe)
    page = context.new_page()
    found = {}
    for path in _pages(persona, world):
        problems = _check(page, f"{live_server.url}{path}")
        if problems:
            found[path] = problems
    # The phone's open menu must fit too.
    if width < 600:
        page.goto(f"{live_server.url}/")
        page.locator("details.phone-only > summary").click()
        if page.evaluate(OVERFLOW):
            found["/ (menu open)"] = [f"wider than the screen: {page.evaluate(OVERFLOW)}"]
    context.close()
    assert found == {}, "\n".join(f"{path}:\n  " + "\n  ".join(items) for path, items in found.items())
