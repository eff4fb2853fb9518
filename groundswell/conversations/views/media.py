"""Members' media pages: an image as its reader may open it, the tags index and a tag's page
(the movement's gallery).

Images are never served as static files: each goes through `image`, which checks that the
reader may read the thread and see the post, and answers with the stored type (only the
image types `media.py` writes), `nosniff` and an inline Content-Disposition with a fixed,
harmless file name, so no stored file can run as a page.
"""

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from groundswell.conversations import media
from groundswell.conversations.selectors import media as media_selectors
from groundswell.conversations.views.common import actor_of, not_found
from groundswell.core.errors import NotFound


@require_safe
def image(request: HttpRequest, media_uuid: str, size: str) -> HttpResponse | FileResponse:
    try:
        item = media_selectors.access_image(actor_of(request), media_uuid)
    except NotFound as error:
        return not_found(request, error.message)
    name = item.image.name if size == "full" else (item.variants or {}).get(size)
    if not name:
        return not_found(request, media_selectors.MISSING_IMAGE)
    try:
        handle = default_storage.open(name, "rb")
    except (OSError, FileNotFoundError):
        return not_found(request, media_selectors.MISSING_IMAGE)
    content_type = media.content_type_of(name)
    response = FileResponse(handle, content_type=content_type)
    extension = name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = f'inline; filename="image.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    # Readers of a private group's thread may change; nobody but this browser keeps a copy.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_safe
def tags(request: HttpRequest) -> HttpResponse:
    return render(request, "conversations/tags.html", {"tags": media_selectors.popular_tags()})


@require_safe
def tag(request: HttpRequest, slug: str) -> HttpResponse:
    wanted = slugify(slug, allow_unicode=True)[:60]
    try:
        found, page = media_selectors.tag_page(wanted, page=request.GET.get("page"))
    except NotFound as error:
        return not_found(request, error.message)
    return render(request, "conversations/tag.html", {"tag": found, "page": page})


urlpatterns = [
    path("media/images/<str:media_uuid>/<str:size>/", image, name="image"),
    path("tags/", tags, name="tags"),
    path("tags/<str:slug>/", tag, name="tag"),
]
