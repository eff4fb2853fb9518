"""The site's own words: a default for each, replaced by what an organizer writes in the
admin (`SiteText`). Read on every home page, so kept in the cache until an organizer saves."""

from django.conf import settings
from django.core.cache import cache

from groundswell.web.models import SiteText

CACHE_KEY = "web:site-texts"

DEFAULT_TAGLINE = "Every member is a hub."

DEFAULT_INTRO = """\
{site} is a movement that grows one conversation at a time. Join, find an event near you,
bring the people you know, and host something of your own: every person who joins through
you starts a ripple of their own."""

DEFAULT_PRIVACY = """\
{site} is run by organizers of this movement. This page says what we keep about you, why,
who can see it, and how to take it back. We never sell or rent anyone's details.

## What we keep

- **Your name, email address and ZIP or postcode**, when you join or RSVP. From the postcode
  we note your town and its rough location (the centre of the ZIP area, never your street),
  so we can show events near you.
- **Your phone number and street address**, only if you give them.
- **Whether you want our emails**, in the words you saw when you said yes or no, and when.
  The email box on our forms is never ticked for you.
- **What you do with us**: joining, RSVPs, the events you came to or hosted, shares, and
  the people you listed. This is how the movement sees which events work and how it grows.
- **Who invited you**: if you came through a member's link, we note whose link it was and
  where it was shared (email, a social network, a copied link).
- **How many times a member's link was opened**, as a daily count per link. Nothing about
  the person who opened it is kept; a cookie in your own browser makes sure you count once.
- **The emails we send you**, and whether they were delivered.
- **People you list** on your hub (a name, and an email or phone), so we can tell you when
  they join. We never email anyone because you listed them.

We keep a cookie to keep you signed in and to protect our forms. We use no advertising or
tracking cookies, and our pages load nothing from other companies' servers except the map
tiles on event pages.

## Who sees it

- **Organizers** of the movement see members' records, to organize with them.
- **A host** sees what you gave when you RSVP'd to their event (your name, and your email and
  phone only if you chose to share them), never the rest of your record.
- **The member who invited you** sees your name and what you went on to do in their ripple
  (an RSVP, an event hosted), never your email or phone. Members further up that chain see
  your first name and initial.
- **Nobody else.** Other members see at most your first name and initial.

## Your choices

- **Stop our emails** with the unsubscribe link at the foot of any of them.
- **See, download or delete** what we hold about you from your account page, or ask an
  organizer. Deleting your account removes your name and contact details for good; the
  movement keeps only anonymous counts (that someone came to an event).

Questions? Reply to any email we sent you and an organizer will answer."""

DEFAULTS = {
    SiteText.Key.TAGLINE: DEFAULT_TAGLINE,
    SiteText.Key.INTRO: DEFAULT_INTRO,
    SiteText.Key.PRIVACY: DEFAULT_PRIVACY,
}


def site_texts() -> dict[str, str]:
    """Every site text, the organizers' where they wrote one and the default otherwise. One
    query, then none until an organizer saves a text (`forget_site_texts`)."""
    texts = cache.get(CACHE_KEY)
    if texts is None:
        written = {key: text for key, text in SiteText.objects.values_list("key", "text") if text.strip()}
        texts = {
            key.value: written.get(key.value) or default.format(site=settings.SITE_NAME)
            for key, default in DEFAULTS.items()
        }
        cache.set(CACHE_KEY, texts, timeout=3600)
    return texts


def site_text(key: SiteText.Key) -> str:
    return site_texts()[key.value]


def forget_site_texts() -> None:
    cache.delete(CACHE_KEY)
