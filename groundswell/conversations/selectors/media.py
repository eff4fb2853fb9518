"""Reads of members' media: the images and link cards of a page of posts (one query), an
image as a reader may open it, and the tag pages — the movement's gallery.

The gallery shows only what anyone may read anyway: media on posts in *public* groups' threads
(a listed group: active or archived), never a held, hidden or deleted post's, never a private
group's, an event's or a campaign's (those follow their own rules; the gallery is the
groups')."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from groundswell.accounts.actors import Actor
from groundswell.conversations.models import LinkCard, Media, Post, Tag
from groundswell.conversations.selectors import access
from groundswell.core.errors import NotFound
from groundswell.groups.models import Group

TAG_PAGE_SIZE = 24
POPULAR_TAGS = 60
MISSING_IMAGE = "We couldn't find that image."


@dataclass
class Item:
    """One image or link of a post, as its template draws it."""

    uuid: uuid.UUID
    kind: str
    status: str
    alt_text: str = ""
    width: int | None = None
    height: int | None = None
    sizes: tuple[str, ...] = ()
    url: str = ""
    card_ready: bool = False
    title: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)

    @property
    def is_image(self) -> bool:
        return self.kind == Media.Kind.IMAGE

    @property
    def ready(self) -> bool:
        return self.status == Media.Status.READY

    @property
    def small(self) -> str:
        """The size to show in a post: the smallest variant, or the (re-encoded) original."""
        return self.sizes[0] if self.sizes else "full"

    @property
    def host(self) -> str:
        from urllib.parse import urlsplit

        return urlsplit(self.url).hostname or self.url


def _sorted_sizes(variants: dict[str, str] | None) -> tuple[str, ...]:
    return tuple(sorted((variants or {}).keys(), key=lambda width: int(width) if width.isdigit() else 0))


def attach_media(posts: Iterable[Post]) -> None:
    """Put `post.media_items` (images first, then links, in the order posted, each with its
    tags) on each post: one query for the whole page, tags joined in."""
    by_id = {post.pk: post for post in posts}
    for post in by_id.values():
        post.media_items = []  # type: ignore[attr-defined]
        post.media_tags = []  # type: ignore[attr-defined]
    if not by_id:
        return
    rows = (
        Media.objects.filter(post_id__in=list(by_id))
        .order_by("post_id", "kind", "id")  # "image" sorts before "link"
        .values(
            "id",
            "post_id",
            "uuid",
            "kind",
            "status",
            "alt_text",
            "width",
            "height",
            "variants",
            "link__url",
            "link__status",
            "link__title",
            "link__description",
            "tags__slug",
        )
    )
    made: dict[int, Item] = {}
    for row in rows:
        item = made.get(row["id"])
        if item is None:
            item = made[row["id"]] = Item(
                uuid=row["uuid"],
                kind=row["kind"],
                status=row["status"],
                alt_text=row["alt_text"],
                width=row["width"],
                height=row["height"],
                sizes=_sorted_sizes(row["variants"]),
                url=row["link__url"] or "",
                card_ready=row["link__status"] == LinkCard.Status.READY,
                title=row["link__title"] or "",
                description=row["link__description"] or "",
            )
            by_id[row["post_id"]].media_items.append(item)  # type: ignore[attr-defined]
        slug = row["tags__slug"]
        if slug and slug not in item.tags:
            item.tags.append(slug)
            post_tags = by_id[row["post_id"]].media_tags  # type: ignore[attr-defined]
            if slug not in post_tags:
                post_tags.append(slug)


def access_image(actor: Actor, media_id: object) -> Media:
    """An image, as this actor may open it: they may read its thread and see its post (not
    deleted); NotFound otherwise, whether or not it exists."""
    try:
        public_id = media_id if isinstance(media_id, uuid.UUID) else uuid.UUID(str(media_id))
    except ValueError:
        raise NotFound(MISSING_IMAGE) from None
    item = (
        Media.objects.filter(uuid=public_id, kind=Media.Kind.IMAGE)
        .select_related(
            "post",
            "post__thread",
            "post__thread__group",
            "post__thread__event",
            "post__thread__advocacy_campaign",
            "post__thread__petition",
        )
        .first()
    )
    if item is None or not item.image:
        raise NotFound(MISSING_IMAGE)
    post, thread = item.post, item.post.thread
    if (
        post.deleted_at is not None
        or not access.can_read(actor, thread)
        or not access.can_see_post(actor, post, thread)
    ):
        raise NotFound(MISSING_IMAGE)
    return item


# --- The gallery --------------------------------------------------------------------------


def _public(prefix: str = "") -> Q:
    """Media anyone may see: on a shown post in a listed public group's thread (`prefix`
    when the filter starts from another model: "media__" from Tag)."""
    return Q(
        **{
            f"{prefix}post__thread__group__visibility": Group.Visibility.PUBLIC,
            f"{prefix}post__thread__group__status__in": [Group.Status.ACTIVE, Group.Status.ARCHIVED],
            f"{prefix}post__held": False,
            f"{prefix}post__hidden_at__isnull": True,
            f"{prefix}post__deleted_at__isnull": True,
        }
    )


def public_media() -> QuerySet[Media]:
    return Media.objects.filter(_public())


def tag_page(slug: str, *, page: int | str | None = 1) -> tuple[Tag, Page]:
    """Everything posted under a tag in public groups, newest first, with each item's post,
    thread, group, author and card: a count and a page, two queries. A tag nothing public
    carries looks the same as one nobody used (a private group's tags stay unknown)."""
    if not slug:
        raise NotFound("Nothing is tagged with that yet.")
    items = (
        public_media()
        .filter(tags__slug=slug)
        .select_related("post", "post__thread", "post__thread__group", "author", "link")
        .order_by("-created_at", "-id")
    )
    return Tag(slug=slug, label=slug), Paginator(items, TAG_PAGE_SIZE).get_page(page)


def popular_tags(*, limit: int = POPULAR_TAGS) -> list[Tag]:
    """The tags most used on public media, with `uses`, most first (one query)."""
    return list(
        Tag.objects.annotate(uses=Count("media", filter=_public("media__"), distinct=True))
        .filter(uses__gt=0)
        .order_by("-uses", "slug")[:limit]
    )
