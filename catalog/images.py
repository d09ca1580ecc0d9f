"""Product images: what an upload must be, and its WebP thumbnails.

An upload is checked before anything is stored: a real image (Pillow can
read and verify it) in JPEG, PNG, WebP or GIF, at most
``CATALOG_IMAGE_MAX_BYTES`` bytes and ``CATALOG_IMAGE_MAX_PIXELS`` pixels, so a
small file that decodes into gigabytes (a decompression bomb) is refused
before it is decoded. Thumbnails are made once, by ``product_image_save``, at
the widths of ``CATALOG_IMAGE_WIDTHS`` (never larger than the original) and
listed in ``ProductImage.renditions`` as ``{"320": storage name, ...}``; pages
only read those names (``image_sources``), they never resize.
"""

import posixpath
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from catalog.models import ProductImage
from catalog.page_cache import catalog_generation_bump

# Pillow's format names, and what a person calls them.
ALLOWED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
ACCEPT = ",".join(CONTENT_TYPES.values())
WEBP_QUALITY = 80
_ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int


@dataclass(frozen=True)
class ImageSources:
    """What an <img> needs: the fallback ``src``, the ``srcset`` of the
    renditions (empty without them), and the intrinsic size of ``src``."""

    src: str
    srcset: str
    width: int
    height: int


def _too_many_pixels(width: int | None = None, height: int | None = None) -> ValidationError:
    limit = settings.CATALOG_IMAGE_MAX_PIXELS
    number = limit / 1_000_000
    megapixels = f"{number:,.0f}" if number.is_integer() else f"{number:,.1f}"
    if width and height:
        return ValidationError(
            _("The image is %(width)s × %(height)s pixels; images may have at most %(limit)s megapixels."),  # noqa: RUF001
            code="image_too_many_pixels",
            params={"width": width, "height": height, "limit": megapixels},
        )
    return ValidationError(
        _("The image has too many pixels; images may have at most %(limit)s megapixels."),
        code="image_too_many_pixels",
        params={"limit": megapixels},
    )


def _oriented_size(img: Image.Image) -> tuple[int, int]:
    """The size as shown, after the camera's EXIF rotation."""
    width, height = img.size
    try:
        orientation = img.getexif().get(0x0112)
    except Exception:  # a broken EXIF block is not worth refusing the image for
        orientation = None
    return (height, width) if orientation in _ROTATED else (width, height)


def image_validate(upload: File[Any]) -> ImageInfo:
    """Check an upload without decoding its pixels; raise a ``ValidationError``
    naming the problem (too large, too many pixels, not an image, a format we
    do not take)."""
    max_bytes = settings.CATALOG_IMAGE_MAX_BYTES
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; images may be at most %(limit)s."),
            code="image_too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow warns above its own pixel limit and refuses at twice it;
            # both are a bomb to us.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as img:
                width, height = img.size
                if width * height > settings.CATALOG_IMAGE_MAX_PIXELS:
                    raise _too_many_pixels(width, height)
                if img.format not in ALLOWED_FORMATS:
                    raise ValidationError(
                        _("%(format)s images are not accepted; upload a JPEG, PNG, WebP or GIF image."),
                        code="image_format",
                        params={"format": img.format or _("This kind of")},
                    )
                image_format = img.format
                img.verify()
            upload.seek(0)
            with Image.open(upload) as img:  # verify() leaves its image unusable
                width, height = _oriented_size(img)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except Exception as exc:  # any decoder error on hostile bytes means "not an image"
        raise ValidationError(
            _("The file is not an image, or it is damaged. Upload a JPEG, PNG, WebP or GIF image."),
            code="image_invalid",
        ) from exc
    finally:
        upload.seek(0)
    return ImageInfo(format=image_format, width=width, height=height)


def rendition_widths(width: int, widths: Iterable[int] | None = None) -> list[int]:
    """The thumbnail widths for an image this wide: each configured width
    below it, and the image's own width when it is narrower than the largest,
    so there is always a WebP and never an upscaled one.

    >>> rendition_widths(2000, [320, 640, 1024])
    [320, 640, 1024]
    >>> rendition_widths(800, [320, 640, 1024])
    [320, 640, 800]
    >>> rendition_widths(200, [320, 640, 1024])
    [200]
    """
    targets = sorted(set(widths if widths is not None else settings.CATALOG_IMAGE_WIDTHS))
    chosen = [target for target in targets if target < width]
    if not targets or width <= targets[-1]:
        chosen.append(width)
    return chosen


def _renditions_render(upload: IO[bytes] | File[Any], widths: list[int]) -> dict[int, bytes]:
    """Decode the upload once and encode a WebP at each width."""
    upload.seek(0)
    try:
        with Image.open(upload) as img:
            # JPEG decodes at a reduced scale when that is still large enough.
            img.draft(None, (widths[-1], widths[-1]))
            frame = ImageOps.exif_transpose(img)
            if frame.mode not in ("RGB", "RGBA"):
                alpha = frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info
                frame = frame.convert("RGBA" if alpha else "RGB")
            frame_width, frame_height = frame.size
            rendered = {}
            for width in widths:
                height = max(1, round(width * frame_height / frame_width))
                resized = frame.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
                buffer = BytesIO()
                resized.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
                rendered[width] = buffer.getvalue()
            return rendered
    except Exception as exc:  # passed verify() yet cannot be decoded: truncated, corrupt
        raise ValidationError(
            _("The image could not be read; it may be damaged. Upload it again or try another file."),
            code="image_invalid",
        ) from exc
    finally:
        upload.seek(0)


def _files_delete(storage: Storage, names: Iterable[str]) -> None:
    for name in names:
        if name:
            storage.delete(name)


@dataclass(frozen=True)
class PreparedImage:
    """An upload that passed ``image_validate``, with its WebP renditions
    encoded (not stored yet) by width."""

    info: ImageInfo
    rendered: dict[int, bytes]


def image_prepare(upload: File[Any]) -> PreparedImage:
    """Check an upload and make its renditions; raise ``ValidationError``
    with the reason when it is not an image we take."""
    info = image_validate(upload)
    rendered = _renditions_render(upload, rendition_widths(info.width))
    if isinstance(upload, UploadedFile):
        # An object store serves the type it was given: the one we verified,
        # never the browser's claim (text/html on an image is a stored XSS).
        upload.content_type = CONTENT_TYPES[info.format]
    return PreparedImage(info=info, rendered=rendered)


def renditions_save(*, stored: FieldFile, rendered: Mapping[int, bytes]) -> dict[str, str]:
    """Store the renditions beside the stored original (``<name>-320w.webp``);
    returns what an image's ``renditions`` holds: {"320": storage name, ...}."""
    base = posixpath.splitext(stored.name or "")[0]
    return {
        str(width): stored.storage.save(f"{base}-{width}w.webp", ContentFile(data))
        for width, data in rendered.items()
    }


def image_files_delete_on_commit(*, storage: Storage, names: Iterable[str]) -> None:
    """Delete these files once the transaction commits (a rollback keeps them)."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: _files_delete(storage, names))


@transaction.atomic
def product_image_save(*, image: ProductImage, upload: File[Any] | None = None) -> ProductImage:
    """Save a product image. With an upload: check it (``image_validate``),
    make its WebP renditions, store the original and the renditions, and,
    after commit, delete the files it replaces. Without one, save the other
    fields (alt text, position, variant)."""
    catalog_generation_bump()
    if upload is None:
        image.save()
        return image
    prepared = image_prepare(upload)
    previous = (
        ProductImage.objects.filter(pk=image.pk).values_list("image", "renditions").first()
        if image.pk is not None
        else None
    )
    image.image = upload  # the descriptor wraps it in a FieldFile
    image.renditions = {}
    image.save()
    image.renditions = renditions_save(stored=image.image, rendered=prepared.rendered)
    # The field stores the file's raw size; pages need the size as shown
    # (a portrait photo from a phone is rotated by its EXIF orientation).
    image.width, image.height = prepared.info.width, prepared.info.height
    image.save(update_fields=["renditions", "width", "height"])
    if previous is not None:
        old_original, old_renditions = previous
        image_files_delete_on_commit(
            storage=image.image.storage, names=[old_original, *(old_renditions or {}).values()]
        )
    return image


@transaction.atomic
def product_image_delete(*, image: ProductImage) -> None:
    """Delete an image and, after commit, its files, unless another image
    row still shows the same file (the demo catalog shares its pictures)."""
    names = [image.image.name or "", *image.renditions.values()]
    image.delete()
    catalog_generation_bump()
    if not ProductImage.objects.filter(image=image.image.name).exists():
        image_files_delete_on_commit(storage=image.image.storage, names=names)


def srcset_build(renditions: Mapping[str, str], url: Callable[[str], str]) -> str:
    """``srcset`` from renditions, narrowest first.

    >>> srcset_build({"640": "a-640w.webp", "320": "a-320w.webp"}, lambda name: "/media/" + name)
    '/media/a-320w.webp 320w, /media/a-640w.webp 640w'
    """
    return ", ".join(f"{url(name)} {width}w" for width, name in sorted(renditions.items(), key=_width_key))


def _width_key(item: tuple[str, str]) -> int:
    return int(item[0])


class StoredImage(Protocol):
    """What ``image_sources`` reads: a product image, a review photo."""

    image: Any  # an ImageFieldFile
    renditions: Any  # {"320": storage name, ...}
    width: int
    height: int


def image_sources(image: StoredImage) -> ImageSources:
    """The sources of an image for a page. The fallback ``src`` is the widest
    rendition (WebP everywhere that matters), or the original when the image
    has no renditions (made outside ``product_image_save``)."""
    storage = image.image.storage
    renditions: Mapping[str, str] = image.renditions or {}
    if not renditions:
        return ImageSources(src=image.image.url, srcset="", width=image.width, height=image.height)
    widest_width, widest_name = max(renditions.items(), key=_width_key)
    width = int(widest_width)
    height = round(width * image.height / image.width) if image.width else 0
    return ImageSources(
        src=storage.url(widest_name), srcset=srcset_build(renditions, storage.url), width=width, height=height
    )
