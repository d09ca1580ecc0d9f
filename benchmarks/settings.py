"""The production settings plus the benchmark's own URLs: the minimal
comparison view must never ship in the shop's URLs, so the benchmark serves
``benchmarks.urls`` (the shop's URLs and ``/bench/minimal/``)."""

from pathlib import Path
from typing import cast

from shop.settings import *  # noqa: F403
from shop.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "benchmarks.urls"
TEMPLATES[0]["DIRS"] = [*cast(list[Path], TEMPLATES[0]["DIRS"]), BASE_DIR / "benchmarks" / "templates"]
