"""The demo catalog's pictures: a few product shots drawn with Pillow, each
stored once with its WebP renditions and shared by many products."""

import io
import random
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFilter

from catalog.images import WEBP_QUALITY, rendition_widths
from catalog.seeding.result import DemoSeedResult
from catalog.seeding.vocabulary import COLOURS

IMAGE_COUNT = 24
IMAGE_SIZE = 800


@dataclass(frozen=True)
class DemoImage:
    name: str
    width: int
    height: int
    renditions: dict[str, str]
    colour: str


def image_ensure(*, index: int, result: DemoSeedResult) -> DemoImage:
    """A product shot drawn with Pillow, saved once with its WebP renditions."""
    colour_name, rgb = COLOURS[index % len(COLOURS)]
    name = f"products/demo/demo-{index + 1:02d}.png"
    renditions = {
        str(width): f"products/demo/demo-{index + 1:02d}-{width}w.webp"
        for width in rendition_widths(IMAGE_SIZE)
    }
    if default_storage.exists(name) and all(default_storage.exists(n) for n in renditions.values()):
        return DemoImage(name, IMAGE_SIZE, IMAGE_SIZE, renditions, colour_name)
    image = _image_draw(index=index, rgb=rgb)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(buffer.getvalue()))
    for width, rendition_name in renditions.items():
        small = image.resize((int(width), int(width)), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        small.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=4)
        if default_storage.exists(rendition_name):
            default_storage.delete(rendition_name)
        default_storage.save(rendition_name, ContentFile(buffer.getvalue()))
    result.images_created += 1
    return DemoImage(name, IMAGE_SIZE, IMAGE_SIZE, renditions, colour_name)


def _image_draw(*, index: int, rgb: tuple[int, int, int]) -> Image.Image:
    """A soft studio backdrop with one object in the product's colour and its shadow."""
    size = IMAGE_SIZE
    rng = random.Random(index)  # noqa: S311 - demo pictures, not secrets
    top = (246, 244, 240)
    bottom = (222, 218, 210) if index % 2 else (214, 222, 230)
    image = Image.new("RGB", (size, size), top)
    draw = ImageDraw.Draw(image)
    for y in range(size):
        t = y / size
        draw.line(
            [(0, y), (size, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    shadow = Image.new("L", (size, size), 0)
    ImageDraw.Draw(shadow).ellipse((180, 640, 620, 700), fill=120)
    image.paste((90, 86, 80), mask=shadow.filter(ImageFilter.GaussianBlur(18)))
    draw = ImageDraw.Draw(image)
    dark = tuple(max(0, c - 50) for c in rgb)
    light = tuple(min(255, c + 45) for c in rgb)
    shape = index % 4
    if shape == 0:  # a garment: body and sleeves
        outline = [(250, 210), (330, 180), (470, 180), (550, 210), (640, 380), (580, 410), (540, 330),
                   (540, 640), (260, 640), (260, 330), (220, 410), (160, 380)]  # fmt: skip
        draw.polygon(outline, fill=rgb, outline=dark)
        draw.arc((350, 150, 450, 230), 0, 180, fill=dark, width=8)
    elif shape == 1:  # a bottle or jar
        draw.rounded_rectangle((290, 260, 510, 650), radius=50, fill=rgb, outline=dark, width=4)
        draw.rectangle((350, 180, 450, 260), fill=dark)
        draw.rounded_rectangle((320, 380, 480, 520), radius=12, fill=light)
    elif shape == 2:  # a box or book
        draw.polygon([(220, 300), (520, 240), (600, 320), (600, 620), (300, 680), (220, 600)], fill=rgb)
        draw.polygon([(220, 300), (520, 240), (600, 320), (300, 380)], fill=light)
        draw.line([(300, 380), (300, 680)], fill=dark, width=6)
    else:  # a round thing: a pan, a speaker, a ball
        draw.ellipse((230, 230, 570, 570 + rng.randint(0, 60)), fill=rgb, outline=dark, width=6)
        draw.ellipse((320, 320, 480, 480), fill=light)
    return image
