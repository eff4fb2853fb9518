"""How a member's email or letter reaches a target's office: a small set of ways behind one
interface, each saying whether it is offered for this campaign, target and member, and what
the page shows for it.

- `EmailApp`: a mailto: link to the office's address, the draft filled in.
- `ContactForm`: the office's own web form, opened in a new tab, the text ready to copy.
  No robot fills it in: offices put CAPTCHAs in front of them, and a staffer should see a
  person's message, not a script's.
- `PlatformEmail`: the platform sends it through the messaging core, from its address with
  Reply-To the member's (`services.send_for_member`). Only where the campaign enables it
  (off by default) and only for a signed-in member, whose address is proven: nobody can have
  the platform mail an office in someone else's name.
- `PrintedLetter`: a page to print, sign and post (a letter campaign's).

An office that takes only so many characters (`Target.message_limit`) gets the text cut to
fit (`fit`) whichever way it goes: the draft is cut before the member sees it, and what is
sent is cut again, so a contact form never refuses a paste.
"""

from dataclasses import dataclass
from typing import Protocol

from django.urls import reverse

from groundswell.advocacy import merge_fields
from groundswell.advocacy.models import AdvocacyCampaign, Outreach, Target

Way = Outreach.Delivery

# The sign-off kept whole when a text is cut (who and where they are is what an office checks
# first): a last paragraph up to this long, and no more than a third of the room.
SIGN_OFF_MAX = 300
ELLIPSIS = "…"


@dataclass(frozen=True)
class Draft:
    """What the member is sending: the subject and text as filled in for this target."""

    subject: str
    text: str


@dataclass(frozen=True)
class Offer:
    """One way, as the page offers it."""

    way: str
    label: str  # the button's words
    help: str  # a line beside it
    href: str = ""  # what the button opens; empty for the platform's send, a form button
    new_tab: bool = False

    @property
    def sends(self) -> bool:
        """Whether choosing it sends the text (the platform's way) rather than opening a page."""
        return self.way == Way.PLATFORM


class Method(Protocol):
    way: str

    def offer(
        self, campaign: AdvocacyCampaign, target: Target, draft: Draft, *, member: bool
    ) -> Offer | None:
        """The way as the page offers it here, or None where it is not offered."""
        ...


class PlatformEmail:
    way: str = Way.PLATFORM

    def offer(
        self, campaign: AdvocacyCampaign, target: Target, draft: Draft, *, member: bool
    ) -> Offer | None:
        if not (platform_may_send(campaign, target) and member):
            return None
        return Offer(
            self.way,
            "Send it for me",
            f"We email it to {target.name}'s office from our address, signed with your name; "
            "their replies come to your email.",
        )


class EmailApp:
    way: str = Way.EMAIL_APP

    def offer(
        self, campaign: AdvocacyCampaign, target: Target, draft: Draft, *, member: bool
    ) -> Offer | None:
        if campaign.mode != AdvocacyCampaign.Mode.EMAIL:
            return None
        href = merge_fields.mailto_url(target.email, subject=draft.subject, body=draft.text)
        if not href:
            return None
        return Offer(
            self.way,
            "Open in your email app",
            f"To {target.email}, starting from our draft (if you changed it above, copy your version in).",
            href,
        )


class ContactForm:
    way: str = Way.CONTACT_FORM

    def offer(
        self, campaign: AdvocacyCampaign, target: Target, draft: Draft, *, member: bool
    ) -> Offer | None:
        if campaign.mode != AdvocacyCampaign.Mode.EMAIL or not target.contact_form_url:
            return None
        return Offer(
            self.way,
            f"Open {target.name}'s contact form",
            "Copy your message, then paste it into their form.",
            target.contact_form_url,
            new_tab=True,
        )


class PrintedLetter:
    way: str = Way.POST

    def offer(
        self, campaign: AdvocacyCampaign, target: Target, draft: Draft, *, member: bool
    ) -> Offer | None:
        if campaign.mode != AdvocacyCampaign.Mode.LETTER:
            return None
        page = reverse("advocacy:campaign", args=[campaign.slug])
        return Offer(
            self.way,
            "Print the letter",
            "With their address, ready to sign.",
            f"{page}?letter={target.uuid}",
            new_tab=True,
        )


# In the order the page offers them: the least work for the member first.
METHODS: tuple[Method, ...] = (PlatformEmail(), EmailApp(), ContactForm(), PrintedLetter())


def offers(campaign: AdvocacyCampaign, target: Target, draft: Draft, *, member: bool) -> list[Offer]:
    """Every way the member can send their text to this target, in the page's order."""
    return [offer for method in METHODS if (offer := method.offer(campaign, target, draft, member=member))]


def platform_may_send(campaign: AdvocacyCampaign, target: Target) -> bool:
    """Whether the platform sends emails to this target for this campaign: the campaign
    enables it, and the office has an address that is plainly one."""
    return (
        campaign.mode == AdvocacyCampaign.Mode.EMAIL
        and campaign.platform_sends
        and bool(merge_fields.mailto_url(target.email))
    )


def way_of_self_sent(found: list[Offer]) -> str:
    """How a member who sent it themselves did it, when only one way was open to them."""
    own = [offer.way for offer in found if not offer.sends]
    return own[0] if len(own) == 1 else Way.UNKNOWN


def fit(text: str, limit: int | None) -> str:
    """`text` cut to at most `limit` characters, as an office's form takes it: the sign-off
    (a short last paragraph) kept whole, the body before it cut back to the end of a sentence
    (else of a word) and marked with an ellipsis. Within the limit, or no limit: unchanged."""
    if not limit or len(text) <= limit:
        return text
    head, _, tail = text.rstrip().rpartition("\n\n")
    keep = tail if head and len(tail) <= min(SIGN_OFF_MAX, limit // 3) else ""
    body = head if keep else text
    room = limit - len(ELLIPSIS) - (len(keep) + 2 if keep else 0)
    cut = body[: max(room, 0)]
    # Back to a sentence's end, else a word's, if one is in the last third of what fits.
    for marks in (".!?\n", " \t"):
        end = max(cut.rfind(mark) for mark in marks)
        if end >= room * 2 // 3:
            cut = cut[: end + 1] if marks[0] == "." else cut[:end]
            break
    shortened = cut.rstrip() + ELLIPSIS
    return f"{shortened}\n\n{keep}" if keep else shortened
