"""Product images in production: gunicorn with DEBUG=0 serves no /media/, so
images live in an S3-compatible object store (moto's server here, SeaweedFS in
compose) and the page points browsers at it."""

import html
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from io import BytesIO, StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from catalog.images import product_image_delete, product_image_save
from catalog.models import ProductImage
from tests.catalog.factories import ProductFactory

ROOT = Path(__file__).resolve().parents[2]
MOTO_SERVER = Path(sys.executable).with_name("moto_server")
BUCKET = "shop-media"

# Run by `manage.py shell` under the production settings: a product with one
# photo uploaded through the catalog's service, its type claimed as HTML.
ARRANGE = """
from io import BytesIO
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from catalog.images import product_image_save
from catalog.models import ProductImage
from tests.catalog.factories import ProductFactory

buffer = BytesIO()
Image.new("RGB", (800, 600), (200, 80, 40)).save(buffer, "JPEG")
product = ProductFactory.create(title="Red mug")
upload = SimpleUploadedFile("mug.jpg", buffer.getvalue(), content_type="text/html")
product_image_save(image=ProductImage(product=product, alt_text="A red mug"), upload=upload)
print(product.slug)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(url, timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still booting
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{what} did not answer at {url}")
            time.sleep(0.2)


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[str]:
    """moto's server (a fake AWS from PyPI) on a free port; its base URL."""
    port = _free_port()
    process = subprocess.Popen(
        [MOTO_SERVER, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, process, "moto_server")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _database_url() -> str:
    """The test database, which this process uses, for the other processes."""
    db = settings.DATABASES["default"]
    credentials = f"{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}"
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _production_env(*, store: str, static_root: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MEDIA_") and key not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=_database_url(),
        STATIC_ROOT=str(static_root),
        MEDIA_S3_BUCKET=BUCKET,
        MEDIA_S3_ENDPOINT_URL=store,
        MEDIA_S3_ACCESS_KEY_ID="shop",
        MEDIA_S3_SECRET_ACCESS_KEY=secrets.token_urlsafe(30),
        LOG_LEVEL="WARNING",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def gunicorn() -> Iterator[Callable[[dict[str, str]], str]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(env: dict[str, str]) -> str:
        port = _free_port()
        command = [sys.executable, "-m", "gunicorn", "shop.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        # No control socket: its default path is one per machine, not per server.
        process = subprocess.Popen(
            [*command, "--no-control-socket"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/healthz", process, "gunicorn")
        return base

    yield start
    for process in started:
        os.killpg(process.pid, signal.SIGTERM)  # gunicorn and its worker, by the group we started
        process.wait(timeout=10)


def _image(response: requests.Response) -> Image.Image:
    image = Image.open(BytesIO(response.content))
    image.load()
    return image


# gunicorn and the shell share the test's data: committed, in PostgreSQL.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_gunicorn_without_debug_shows_product_images_served_by_the_object_store(moto_s3, gunicorn, tmp_path):
    env = _production_env(store=moto_s3, static_root=tmp_path / "static")
    _manage(env, "collectstatic", "--noinput", "-v0")
    assert f"Bucket '{BUCKET}' created; anyone may read its objects." in _manage(env, "media_bucket_create")
    slug = _manage(env, "shell", "-v0", "-c", ARRANGE).split()[-1]
    shop = gunicorn(env)

    page = requests.get(f"{shop}/products/{slug}/", headers={"X-Forwarded-Proto": "https"}, timeout=10)

    assert page.status_code == 200
    link = re.search(r'<a class="gallery-link" href="([^"]+)"><img src="([^"]+)"', page.text)
    assert link is not None, page.text
    original_url, src = map(html.unescape, link.groups())
    media_url = f"{moto_s3}/{BUCKET}/products/"
    assert src.startswith(media_url)
    assert src.endswith("-800w.webp")
    assert original_url.startswith(media_url)
    assert f"img-src 'self' data: {moto_s3}" in page.headers["Content-Security-Policy"]

    # What a browser does next: fetch both from the store, without the shop.
    rendition = requests.get(src, timeout=10)
    assert rendition.status_code == 200
    assert rendition.headers["Content-Type"] == "image/webp"
    assert rendition.headers["Cache-Control"] == "public, max-age=86400"
    assert (_image(rendition).format, _image(rendition).size) == ("WEBP", (800, 600))
    original = requests.get(original_url, timeout=10)
    assert original.status_code == 200
    assert original.headers["Content-Type"] == "image/jpeg"  # as verified, not as claimed
    assert (_image(original).format, _image(original).size) == ("JPEG", (800, 600))


@pytest.mark.django_db
def test_the_bucket_command_leaves_an_existing_bucket_alone(moto_s3, tmp_path):
    env = _production_env(store=moto_s3, static_root=tmp_path)
    env["MEDIA_S3_BUCKET"] = "shop-media-twice"

    first = _manage(env, "media_bucket_create")
    second = _manage(env, "media_bucket_create")

    assert (first, second) == (
        "Bucket 'shop-media-twice' created; anyone may read its objects.\n",
        "Bucket 'shop-media-twice' exists.\n",
    )


def test_the_bucket_command_has_nothing_to_do_with_media_on_local_disk():
    out = StringIO()

    call_command("media_bucket_create", stdout=out)

    assert out.getvalue() == "Media are stored on local disk: no bucket to create.\n"


@pytest.mark.django_db
def test_replacing_and_deleting_an_image_removes_its_objects_from_the_bucket(
    moto_s3, settings, django_capture_on_commit_callbacks
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "shop-media-replaced",
                "endpoint_url": moto_s3,
                "access_key": "shop",
                "secret_key": "secret",
                "region_name": "us-east-1",
                "file_overwrite": False,
            },
        },
    }
    out = StringIO()
    call_command("media_bucket_create", stdout=out)
    assert out.getvalue() == "Bucket 'shop-media-replaced' created; anyone may read its objects.\n"
    image = product_image_save(
        image=ProductImage(product=ProductFactory.create(), alt_text="A red mug"),
        upload=_jpeg_upload((700, 500)),
    )
    first = [image.image.name, *image.renditions.values()]

    with django_capture_on_commit_callbacks(execute=True):
        product_image_save(image=image, upload=_jpeg_upload((400, 300)))
    second = [image.image.name, *image.renditions.values()]
    assert [default_storage.exists(name) for name in first + second] == [False] * 4 + [True] * 3
    with default_storage.open(image.renditions["400"]) as stored, Image.open(stored) as rendition:
        assert (rendition.format, rendition.size) == ("WEBP", (400, 300))

    with django_capture_on_commit_callbacks(execute=True):
        product_image_delete(image=image)
    assert not any(default_storage.exists(name) for name in second)


def _jpeg_upload(size: tuple[int, int]) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile("mug.jpg", buffer.getvalue(), content_type="image/jpeg")
