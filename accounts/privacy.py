"""What the shop holds about a person, for "Download my data" and "Delete my
account".

Apps above ``accounts`` hold personal data too (orders, reviews, wishlists).
They add their part here from their ``AppConfig.ready()``: an export section
and an eraser. ``accounts`` calls them explicitly and never imports them.
"""

from collections.abc import Callable
from typing import Any

from accounts.models import User

type ExportSection = Callable[[User], Any]
type Eraser = Callable[[User], None]

_export_sections: dict[str, ExportSection] = {}
_erasers: dict[str, Eraser] = {}


def export_section_register(name: str, section: ExportSection) -> None:
    """Add ``name`` to every data export; ``section(user)`` returns JSON-able data."""
    _export_sections[name] = section


def eraser_register(name: str, eraser: Eraser) -> None:
    """Run ``eraser(user)`` inside the account deletion transaction."""
    _erasers[name] = eraser


def export_sections() -> dict[str, ExportSection]:
    return dict(_export_sections)


def erasers() -> dict[str, Eraser]:
    return dict(_erasers)


def erased_email(*, user_id: int) -> str:
    """The placeholder that replaces a deleted account's email, on the user
    row and on the records kept about it (orders); it reaches no one."""
    return f"deleted-{user_id}@deleted.invalid"
