"""Members' media on posts: the images, links and tags a post carries, and the work done on
them later by a worker (an image's variants, a link's card).

`prepare` checks everything a post brings before anything is stored (a bad image refuses the
whole post); `attach` writes the rows inside the post's transaction and queues the work for
when it commits. Image files are written before the transaction (`write_images`): the caller
deletes them if the transaction fails (`media.delete_quietly`), so no file outlives a post
that was never made.

A link's card is one `LinkCard` per address (`url_hash`), shared by every post of it and
fetched once; a failed card is tried again by a later post after `CARD_RETRY_AFTER`.
"""

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from groundswell.conversations import linkcards, media
from groundswell.conversations.models import LinkCard, Media, Post, Tag
from groundswell.core.errors import ValidationError
from groundswell.core.text import clean_line
from groundswell.people.models import Person

logger = logging.getLogger(__name__)

MAX_IMAGES = 4
MAX_LINKS = 4
MAX_TAGS = 8
TAG_MAX = 40
ALT_MAX = 300
CARD_RETRY_AFTER = timedelta(hours=6)

_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`\[\]{}|\\^]+", re.IGNORECASE)
_TRAILING = ".,;:!?)*_~'\""
# Characters a tag may not carry even before it is made a slug: a bidi override or an
# invisible character could make two tags look alike (clean_line removes them; this says so).
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


@dataclass
class Prepared:
    """What a post brings besides its words, checked."""

    images: list[media.CheckedImage] = field(default_factory=list)
    alt_text: str = ""
    links: list[str] = field(default_factory=list)
    tags: list[tuple[str, str]] = field(default_factory=list)  # (slug, label)
    names: list[str] = field(default_factory=list)  # storage names, once written

    @property
    def empty(self) -> bool:
        return not (self.images or self.links)


def clean_tags(text: str) -> list[tuple[str, str]]:
    """Comma-separated tags → (slug, label) pairs: lower-case slugs of 1 to 40 characters
    (letters of any script, digits, hyphens), at most `MAX_TAGS`, no repeats."""
    found: list[tuple[str, str]] = []
    for piece in (text or "").split(","):
        if _INVISIBLE.search(piece):
            raise ValidationError("Tags can't hold invisible or direction-changing characters.", field="tags")
        label = clean_line(piece).lstrip("#").strip()
        if not label:
            continue
        slug = slugify(label, allow_unicode=True)
        if not slug:
            raise ValidationError(
                f"“{label[:40]}” isn't a tag: use letters, numbers and hyphens.", field="tags"
            )
        if len(slug) > TAG_MAX:
            raise ValidationError(f"Please keep each tag under {TAG_MAX} characters.", field="tags")
        if slug not in (known for known, _ in found):
            found.append((slug, slug))
    if len(found) > MAX_TAGS:
        raise ValidationError(f"Please use at most {MAX_TAGS} tags on a post.", field="tags")
    return found


def _clean_url(url: str) -> str | None:
    url = url.strip()
    while url and url[-1] in _TRAILING:
        url = url[:-1]
    if not url or len(url) > linkcards.URL_MAX:
        return None
    try:
        URLValidator(schemes=["http", "https"])(url)
    except DjangoValidationError:
        return None
    return url


def find_links(raw: str, link: str = "") -> list[str]:
    """The http(s) links of a post: the link field's first, then those in its text, each once,
    at most `MAX_LINKS`. A link field that isn't an http(s) address is refused."""
    links: list[str] = []
    if link.strip():
        cleaned = _clean_url(clean_line(link))
        if cleaned is None:
            raise ValidationError(
                "Please give a web address beginning with https:// or http://.", field="link"
            )
        links.append(cleaned)
    for match in _URL_IN_TEXT.findall(raw or ""):
        cleaned = _clean_url(match)
        if cleaned is not None and cleaned not in links:
            links.append(cleaned)
    return links[:MAX_LINKS]


def default_alt(author: Person) -> str:
    return f"Image posted by {author.short_name}"


def prepare(
    *,
    author: Person,
    raw: str,
    images: list[object] | None = None,
    alt_text: str = "",
    link: str = "",
    tags: str = "",
) -> Prepared:
    """Check what a post brings; ValidationError (naming the field) on the first problem.
    Nothing is stored here."""
    images = [image for image in images or [] if image]
    if len(images) > MAX_IMAGES:
        raise ValidationError(f"Please add at most {MAX_IMAGES} images to a post.", field="images")
    alt = clean_line(alt_text)
    if len(alt) > ALT_MAX:
        raise ValidationError(f"Please keep the description under {ALT_MAX} characters.", field="alt_text")
    checked = [media.check_image(image, name=clean_line(getattr(image, "name", ""))[:80]) for image in images]
    prepared = Prepared(
        images=checked,
        alt_text=alt or default_alt(author),
        links=find_links(raw, link),
        tags=clean_tags(tags),
    )
    if prepared.tags and prepared.empty:
        raise ValidationError("Tags go on images and links: add one, or leave the tags empty.", field="tags")
    return prepared


def write_images(prepared: Prepared) -> list[str]:
    """Store the checked images (before the post's transaction); their storage names."""
    try:
        for image in prepared.images:
            prepared.names.append(media.store(image))
    except Exception:
        media.delete_quietly(prepared.names)
        raise
    return prepared.names


def _hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def _card_for(url: str) -> tuple[LinkCard, bool]:
    """The shared card of `url`, and whether it should be fetched (new, or failed a while ago)."""
    key = _hash(url)
    LinkCard.objects.bulk_create([LinkCard(url=url, url_hash=key)], ignore_conflicts=True)
    card = LinkCard.objects.get(url_hash=key)
    stale_failure = (
        card.status == LinkCard.Status.FAILED
        and card.fetched_at is not None
        and card.fetched_at < timezone.now() - CARD_RETRY_AFTER
    )
    if stale_failure:
        LinkCard.objects.filter(pk=card.pk).update(status=LinkCard.Status.WAITING, error="")
        card.status = LinkCard.Status.WAITING
    return card, card.status == LinkCard.Status.WAITING and (card.fetched_at is None or stale_failure)


def attach(*, post: Post, prepared: Prepared) -> list[Media]:
    """The post's media rows and tags (inside the post's transaction); the variants and cards
    are queued for when it commits."""
    from groundswell.conversations import tasks

    if prepared.empty:
        return []
    made: list[Media] = []
    for name, image in zip(prepared.names, prepared.images, strict=True):
        made.append(
            Media.objects.create(
                post=post,
                author=post.author,
                kind=Media.Kind.IMAGE,
                status=Media.Status.PROCESSING,
                image=name,
                width=image.width,
                height=image.height,
                alt_text=prepared.alt_text,
            )
        )
    to_fetch: list[int] = []
    for url in prepared.links:
        card, fetch_it = _card_for(url)
        if fetch_it:
            to_fetch.append(card.pk)
        made.append(Media.objects.create(post=post, author=post.author, kind=Media.Kind.LINK, link=card))
    if prepared.tags:
        Tag.objects.bulk_create(
            [Tag(slug=slug, label=label) for slug, label in prepared.tags], ignore_conflicts=True
        )
        tags = list(Tag.objects.filter(slug__in=[slug for slug, _ in prepared.tags]))
        through = Media.tags.through
        through.objects.bulk_create(
            [through(media_id=item.pk, tag_id=tag.pk) for item in made for tag in tags], ignore_conflicts=True
        )
    images = [item.pk for item in made if item.kind == Media.Kind.IMAGE]
    transaction.on_commit(lambda: _queue(tasks.make_variants, images))
    transaction.on_commit(lambda: _queue(tasks.fetch_card, to_fetch))
    return made


def _queue(task: object, ids: list[int]) -> None:
    """Hand work to the worker; a broker that is down leaves the rows waiting (logged), and
    never fails the post that already committed."""
    for pk in ids:
        try:
            task.delay(pk)  # type: ignore[attr-defined]
        except Exception:  # a broker's failure is any exception; the post stands
            logger.exception("could not queue %s for %s", getattr(task, "name", task), pk)


# --- The worker's side --------------------------------------------------------------------


def make_variants(media_id: int) -> Media | None:
    """An image's smaller copies (safe to run twice: a READY image is left as it is)."""
    item = Media.objects.filter(pk=media_id, kind=Media.Kind.IMAGE).first()
    if item is None or item.status != Media.Status.PROCESSING:
        return item
    try:
        variants = media.make_variants(item.image.name)
    except (OSError, ValueError) as error:
        logger.warning("variants of media %s failed: %s", media_id, error)
        Media.objects.filter(pk=item.pk).update(status=Media.Status.FAILED)
        return item
    updated = Media.objects.filter(pk=item.pk, status=Media.Status.PROCESSING).update(
        variants=variants, status=Media.Status.READY
    )
    if not updated:  # another run finished first: keep its files, drop ours
        media.delete_quietly(list(variants.values()))
    item.refresh_from_db()
    return item


def fetch_card(card_id: int) -> LinkCard | None:
    """Fetch a link's card through the guard and store it, READY or FAILED with a short
    reason (safe to run twice: only a WAITING card is fetched)."""
    card = LinkCard.objects.filter(pk=card_id).first()
    if card is None or card.status != LinkCard.Status.WAITING:
        return card
    now = timezone.now()
    try:
        page = linkcards.fetch(card.url)
        found = linkcards.read_card(page)
    except linkcards.Refused as error:
        LinkCard.objects.filter(pk=card.pk, status=LinkCard.Status.WAITING).update(
            status=LinkCard.Status.FAILED, error=str(error)[:300], fetched_at=now
        )
    else:
        if not (found.title or found.description):
            LinkCard.objects.filter(pk=card.pk, status=LinkCard.Status.WAITING).update(
                status=LinkCard.Status.FAILED, error="The page has no title.", fetched_at=now
            )
        else:
            LinkCard.objects.filter(pk=card.pk, status=LinkCard.Status.WAITING).update(
                status=LinkCard.Status.READY,
                title=found.title,
                description=found.description,
                image_url=found.image_url,
                error="",
                fetched_at=now,
            )
    card.refresh_from_db()
    return card
