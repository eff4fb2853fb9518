"""The channels through which a person arrives or acts.

Stored as small integers: the activity log carries one on every row, and it
is meant to hold hundreds of millions of rows.
"""

from django.db import models


class Channel(models.IntegerChoices):
    DIRECT = 0, "Direct"
    FACEBOOK = 1, "Facebook"
    X = 2, "X"
    BLUESKY = 3, "Bluesky"
    MASTODON = 4, "Mastodon"
    WHATSAPP = 5, "WhatsApp"
    EMAIL = 6, "Email"
    LINK = 7, "Copied link"
    API = 20, "API"
    IMPORT = 21, "Import"
    ADMIN = 22, "Staff entry"
    DEMO = 30, "Demo data"

    @classmethod
    def from_slug(cls, slug: str | None, default: "Channel | None" = None) -> "Channel":
        """Read the `via=` value of a share link; unknown values fall back to the default."""
        return SLUGS.get((slug or "").strip().lower(), default if default is not None else cls.DIRECT)

    @property
    def slug(self) -> str:
        return SLUG_OF[self]


# The words used in share links (`?via=whatsapp`), one per channel.
SLUGS: dict[str, Channel] = {
    "direct": Channel.DIRECT,
    "facebook": Channel.FACEBOOK,
    "x": Channel.X,
    "twitter": Channel.X,
    "bluesky": Channel.BLUESKY,
    "mastodon": Channel.MASTODON,
    "whatsapp": Channel.WHATSAPP,
    "email": Channel.EMAIL,
    "link": Channel.LINK,
    "api": Channel.API,
    "import": Channel.IMPORT,
    "admin": Channel.ADMIN,
    "demo": Channel.DEMO,
}
SLUG_OF: dict[Channel, str] = {}
for _slug, _channel in SLUGS.items():
    SLUG_OF.setdefault(_channel, _slug)

# The channels a member shares through, in the order the hub page offers them.
SHARE_CHANNELS = [
    Channel.FACEBOOK,
    Channel.X,
    Channel.BLUESKY,
    Channel.MASTODON,
    Channel.WHATSAPP,
    Channel.EMAIL,
    Channel.LINK,
]
