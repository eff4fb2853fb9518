"""Members' images: checked by what they are, never by what they are called, and made safe.

An upload is opened with Pillow and kept only when Pillow reads it as JPEG, PNG, GIF or WebP
(the file's name and the browser's content type are never asked: a PNG named .jpg is a PNG,
and a text file or an SVG named .png is refused). Limits come before decoding: bytes, then
the pixel count Pillow reads from the header, so a tiny file claiming 100,000 by 100,000
pixels (a decompression bomb) is refused without being decoded. What is kept is the pixels,
re-encoded: the EXIF orientation applied first, then every metadata block (EXIF, GPS, XMP,
comments, PNG text chunks) left behind, and an animated GIF's first frame only.

Variants (`VARIANT_WIDTHS` wide, WebP) are made later, on a worker (`tasks.make_variants`).
"""

import contextlib
import io
import secrets
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from groundswell.conversations.models import Media
from groundswell.core.errors import ValidationError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Pillow warns past MAX_IMAGE_PIXELS and raises past twice that; both are refusals here
# (the warning is turned into an error where images are opened).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
VARIANT_WIDTHS = (480, 1200)

# Pillow's format name → (stored format, extension, content type). A GIF is kept as its first
# frame in PNG: one still picture, no animation to decode on every reader's phone.
FORMATS = {
    "JPEG": ("JPEG", "jpg", "image/jpeg"),
    "PNG": ("PNG", "png", "image/png"),
    "GIF": ("PNG", "png", "image/png"),
    "WEBP": ("WEBP", "webp", "image/webp"),
}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@dataclass(frozen=True)
class CheckedImage:
    """An upload that passed, as the bytes to store (re-encoded, no metadata)."""

    data: bytes
    extension: str
    width: int
    height: int


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, field="images")


def _open(data: bytes) -> Image.Image:
    """Open and read only the header; a bomb (either of Pillow's two signals) is a refusal."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return Image.open(io.BytesIO(data))
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise _refuse(
                f"That image is too big: please keep it under {MAX_PIXELS // 1_000_000} megapixels."
            ) from error
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            raise _refuse(
                "That file isn't an image we can take: please send a JPEG, PNG, GIF or WebP."
            ) from error


def check_image(upload: object, *, name: str = "") -> CheckedImage:
    """An uploaded file (anything with `read`), checked and re-encoded; ValidationError
    (field "images") naming what was wrong."""
    label = f"“{name}”: " if name else ""
    data = upload.read(MAX_BYTES + 1)  # type: ignore[attr-defined]
    if len(data) > MAX_BYTES:
        raise _refuse(
            f"{label}that image is too large: please keep it under {MAX_BYTES // (1024 * 1024)} MB."
        )
    if not data:
        raise _refuse(f"{label}that file is empty.")
    try:
        image = _open(data)
    except ValidationError as error:
        raise _refuse(label + error.message) from error
    if image.format not in FORMATS:
        raise _refuse(f"{label}that file isn't an image we can take: please send a JPEG, PNG, GIF or WebP.")
    if image.width * image.height > MAX_PIXELS or image.width < 1 or image.height < 1:
        raise _refuse(
            f"{label}that image is too big: please keep it under {MAX_PIXELS // 1_000_000} megapixels."
        )
    stored_format, extension, _ = FORMATS[image.format]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.seek(0)  # an animation's first frame
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            pixels = _plain(upright, stored_format)
            out = io.BytesIO()
            options: dict[str, object] = {"optimize": True} if stored_format != "WEBP" else {}
            if stored_format in ("JPEG", "WEBP"):
                options["quality"] = 88
            # No exif=, icc_profile= or pnginfo=: nothing but the pixels is written.
            pixels.save(out, format=stored_format, **options)
    except ValidationError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise _refuse(
            f"{label}that image is too big: please keep it under {MAX_PIXELS // 1_000_000} megapixels."
        ) from error
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise _refuse(f"{label}that image is damaged or incomplete: please try another.") from error
    return CheckedImage(data=out.getvalue(), extension=extension, width=pixels.width, height=pixels.height)


def _plain(image: Image.Image, stored_format: str) -> Image.Image:
    """A copy of the pixels alone, in a mode the stored format takes."""
    if stored_format == "JPEG":
        mode = "RGB"
    elif image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        mode = "RGBA"
    else:
        mode = "RGB"
    plain = Image.new(mode, image.size)
    plain.paste(image.convert(mode))
    return plain


def random_name(extension: str, *, folder: str = "original") -> str:
    """A storage name nobody can guess or choose (the member's file name is never used)."""
    return f"media/{folder}/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{extension}"


def store(checked: CheckedImage) -> str:
    """Write a checked image through the storage API; its storage name."""
    return default_storage.save(random_name(checked.extension), ContentFile(checked.data))


def make_variants(name: str) -> dict[str, str]:
    """Smaller copies of a stored (already checked) image, WebP, `VARIANT_WIDTHS` wide where
    the original is wider: width → storage name. Written through the storage API."""
    with default_storage.open(name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    made: dict[str, str] = {}
    for width in VARIANT_WIDTHS:
        if image.width <= width and made:
            break  # no upscaling; the smallest variant is always made (a small, light copy)
        copy = image.copy()
        copy.thumbnail((width, width * 4))
        out = io.BytesIO()
        copy.save(out, format="WEBP", quality=82)
        made[str(width)] = default_storage.save(
            random_name("webp", folder="variants"), ContentFile(out.getvalue())
        )
    return made


def content_type_of(name: str) -> str:
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def delete_quietly(names: list[str]) -> None:
    """Remove files written for something that did not happen (a post that failed)."""
    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


def remove_files(sender: object, instance: Media, **kwargs: object) -> None:
    """A deleted Media row's image and its variants leave the storage once the deletion
    commits (a post deleted, a member forgotten): no file outlives its row."""
    if not instance.image:
        return
    names = [instance.image.name, *(instance.variants or {}).values()]
    transaction.on_commit(lambda: delete_quietly(names))
