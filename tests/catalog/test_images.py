import struct
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.utils.datastructures import MultiValueDict
from PIL import Image

from catalog.image_forms import ProductImageForm
from catalog.images import image_sources, product_image_delete, product_image_save
from catalog.models import ProductImage
from tests.catalog.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _encoded(size: tuple[int, int], image_format: str, mode: str = "RGB", **options) -> bytes:
    buffer = BytesIO()
    Image.new(mode, size, (200, 80, 40) if mode == "RGB" else 0).save(buffer, image_format, **options)
    return buffer.getvalue()


def _upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _png_header_only(width: int, height: int) -> bytes:
    """A few dozen bytes claiming a huge PNG: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def _save(data: bytes, name: str = "photo.jpg") -> ProductImage:
    image = ProductImage(product=ProductFactory.create(), alt_text="A red mug")
    return product_image_save(image=image, upload=_upload(data, name))


def _messages(excinfo: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return excinfo.value.messages


def test_a_real_jpeg_is_stored_with_webp_renditions_at_each_width(media):
    image = _save(_encoded((1600, 1200), "JPEG"))

    assert (image.width, image.height) == (1600, 1200)
    assert sorted(image.renditions, key=int) == ["320", "640", "1024"]
    for width, name in image.renditions.items():
        with Image.open(media / name) as rendition:
            assert rendition.format == "WEBP"
            assert rendition.size == (int(width), int(width) * 3 // 4)
    assert (media / image.image.name).is_file()
    assert ProductImage.objects.get(pk=image.pk).renditions == image.renditions


def test_renditions_are_never_upscaled(media):
    image = _save(_encoded((500, 250), "PNG"), "small.png")

    widths = {int(width): name for width, name in image.renditions.items()}
    assert sorted(widths) == [320, 500]
    with Image.open(media / widths[500]) as rendition:
        assert (rendition.format, rendition.size) == ("WEBP", (500, 250))


def test_a_phone_photo_is_turned_upright_by_its_exif_orientation(media):
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"

    image = _save(_encoded((800, 400), "JPEG", exif=exif.tobytes()))

    assert (image.width, image.height) == (400, 800)
    assert ProductImage.objects.values_list("width", "height").get() == (400, 800)
    assert sorted(image.renditions, key=int) == ["320", "400"]
    with Image.open(media / image.renditions["400"]) as rendition:
        assert rendition.size == (400, 800)


@pytest.mark.parametrize(
    ("image_format", "mode", "name"),
    [
        ("PNG", "RGBA", "alpha.png"),
        ("GIF", "P", "anim.gif"),
        ("WEBP", "RGB", "pic.webp"),
        ("JPEG", "L", "grey.jpg"),
    ],
)
def test_each_accepted_format_and_mode_gets_renditions(media, image_format, mode, name):
    image = _save(_encoded((700, 700), image_format, mode), name)

    assert sorted(image.renditions, key=int) == ["320", "640", "700"]
    with Image.open(media / image.renditions["320"]) as rendition:
        assert rendition.format == "WEBP"
        assert rendition.mode == ("RGBA" if mode == "RGBA" else "RGB")


def test_a_text_file_named_jpg_is_rejected_as_not_an_image(media):
    with pytest.raises(ValidationError) as excinfo:
        _save(b"Dear shop, this is not a picture.\n" * 20)

    assert _messages(excinfo) == [
        "The file is not an image, or it is damaged. Upload a JPEG, PNG, WebP or GIF image."
    ]
    assert excinfo.value.error_list[0].code == "image_invalid"
    assert not ProductImage.objects.exists()
    assert not any(media.rglob("*.*"))


def test_a_truncated_image_is_rejected(media):
    data = _encoded((800, 600), "PNG")

    with pytest.raises(ValidationError) as excinfo:
        _save(data[: len(data) // 2], "cut.png")

    assert excinfo.value.error_list[0].code == "image_invalid"
    assert not ProductImage.objects.exists()


def test_a_file_over_the_byte_limit_is_rejected_naming_both_sizes(settings):
    settings.CATALOG_IMAGE_MAX_BYTES = 1024
    data = _encoded((400, 400), "BMP")  # large and uncompressed

    with pytest.raises(ValidationError) as excinfo:
        _save(data, "big.jpg")

    assert _messages(excinfo) == ["The file is 468.8\xa0KB; images may be at most 1.0\xa0KB."]
    assert excinfo.value.error_list[0].code == "image_too_large"


def test_an_image_over_the_pixel_limit_is_rejected_naming_its_size(settings):
    settings.CATALOG_IMAGE_MAX_PIXELS = 1_000_000
    data = _encoded((1001, 1000), "PNG")

    with pytest.raises(ValidationError) as excinfo:
        _save(data, "wide.png")

    assert _messages(excinfo) == ["The image is 1001 × 1000 pixels; images may have at most 1 megapixels."]  # noqa: RUF001
    assert excinfo.value.error_list[0].code == "image_too_many_pixels"


def test_a_small_file_claiming_huge_dimensions_is_rejected_before_decoding(media):
    data = _png_header_only(50_000, 50_000)  # 2.5 gigapixels in a 60-byte file

    with pytest.raises(ValidationError) as excinfo:
        _save(data, "bomb.png")

    assert len(data) < 100
    # Pillow refuses to open it at all, so the size cannot be named.
    assert _messages(excinfo) == ["The image has too many pixels; images may have at most 40 megapixels."]
    assert not ProductImage.objects.exists()


def test_a_file_over_our_pixel_limit_but_under_pillows_is_rejected_naming_its_size():
    data = _png_header_only(8_000, 6_000)  # 48 megapixels: Pillow would open it

    with pytest.raises(ValidationError) as excinfo:
        _save(data, "bomb.png")

    assert _messages(excinfo) == ["The image is 8000 × 6000 pixels; images may have at most 40 megapixels."]  # noqa: RUF001


def test_pillows_warning_zone_is_reported_as_too_many_pixels(settings):
    # Between Pillow's limit (~89 Mpx) and twice it, Pillow only warns.
    settings.CATALOG_IMAGE_MAX_PIXELS = 10**12

    with pytest.raises(ValidationError) as excinfo:
        _save(_png_header_only(10_000, 10_000), "bomb.png")

    assert _messages(excinfo) == [
        "The image has too many pixels; images may have at most 1,000,000 megapixels."
    ]


def test_a_format_we_do_not_serve_is_rejected_by_name():
    with pytest.raises(ValidationError) as excinfo:
        _save(_encoded((50, 50), "BMP"), "old.bmp")

    assert _messages(excinfo) == ["BMP images are not accepted; upload a JPEG, PNG, WebP or GIF image."]


def test_replacing_the_file_deletes_the_old_files_after_commit(media, django_capture_on_commit_callbacks):
    image = _save(_encoded((700, 700), "JPEG"))
    old_files = [image.image.name, *image.renditions.values()]

    with django_capture_on_commit_callbacks(execute=True):
        product_image_save(image=image, upload=_upload(_encoded((400, 300), "JPEG"), "new.jpg"))

    assert not any((media / name).exists() for name in old_files)
    assert sorted(image.renditions, key=int) == ["320", "400"]
    assert all((media / name).is_file() for name in image.renditions.values())


def test_deleting_an_image_deletes_its_files(media, django_capture_on_commit_callbacks):
    image = _save(_encoded((700, 700), "JPEG"))
    files = [image.image.name, *image.renditions.values()]

    with django_capture_on_commit_callbacks(execute=True):
        product_image_delete(image=image)

    assert not ProductImage.objects.exists()
    assert not any((media / name).exists() for name in files)


def test_deleting_one_of_two_images_sharing_a_file_keeps_the_file(media, django_capture_on_commit_callbacks):
    image = _save(_encoded((700, 700), "JPEG"))
    twin = ProductImage.objects.create(
        product=ProductFactory.create(),
        image=image.image.name,
        alt_text="The same picture",
        renditions=image.renditions,
    )
    files = [image.image.name, *image.renditions.values()]

    with django_capture_on_commit_callbacks(execute=True):
        product_image_delete(image=image)

    assert list(ProductImage.objects.all()) == [twin]
    assert all((media / name).exists() for name in files)


def test_saving_without_an_upload_keeps_the_files():
    image = _save(_encoded((700, 700), "JPEG"))
    renditions = dict(image.renditions)

    image.alt_text = "A blue mug"
    product_image_save(image=image)

    image.refresh_from_db()
    assert (image.alt_text, image.renditions) == ("A blue mug", renditions)


def test_product_img_tag_renders_srcset_sizes_and_intrinsic_size():
    image = _save(_encoded((1600, 1200), "JPEG"))
    base = str(image.image.name).rsplit(".", 1)[0]

    html = Template('{% load catalog_images %}{% product_img image sizes="50vw" %}').render(
        Context({"image": image})
    )

    assert html == (
        f'<img src="/media/{base}-1024w.webp" srcset="/media/{base}-320w.webp 320w, '
        f'/media/{base}-640w.webp 640w, /media/{base}-1024w.webp 1024w" sizes="50vw" '
        'alt="A red mug" width="1024" height="768" loading="lazy" decoding="async">'
    )


def test_product_img_without_renditions_falls_back_to_the_original():
    image = ProductImage(
        product=ProductFactory.create(), image="products/x.png", width=10, height=20, alt_text='Say "hi"'
    )

    html = Template('{% load catalog_images %}{% product_img image loading="eager" %}').render(
        Context({"image": image})
    )

    assert html == (
        '<img src="/media/products/x.png" alt="Say &quot;hi&quot;" width="10" height="20" '
        'loading="eager" decoding="async">'
    )


def test_image_sources_sorts_widths_numerically():
    image = ProductImage(
        image="p/a.jpg",
        width=2000,
        height=1000,
        renditions={"1024": "p/a-1024w.webp", "320": "p/a-320w.webp", "640": "p/a-640w.webp"},
    )

    sources = image_sources(image)

    assert (
        sources.srcset == "/media/p/a-320w.webp 320w, /media/p/a-640w.webp 640w, /media/p/a-1024w.webp 1024w"
    )
    assert (sources.src, sources.width, sources.height) == ("/media/p/a-1024w.webp", 1024, 512)


def test_the_admin_form_names_the_problem_with_an_upload():
    product = ProductFactory.create()

    form = ProductImageForm(
        data={"product": product.pk, "alt_text": "Mug", "position": 0},
        files=MultiValueDict({"image": [_upload(b"not an image at all", "mug.jpg")]}),
    )

    assert form.errors == {
        "image": ["The file is not an image, or it is damaged. Upload a JPEG, PNG, WebP or GIF image."]
    }


def test_the_admin_form_accepts_a_real_image_and_requires_alt_text():
    product = ProductFactory.create()

    form = ProductImageForm(
        data={"product": product.pk, "alt_text": "", "position": 0},
        files=MultiValueDict({"image": [_upload(_encoded((100, 100), "JPEG"))]}),
    )

    assert form.errors == {"alt_text": ["This field is required."]}
    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in str(form["image"])
