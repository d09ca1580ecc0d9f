"""Progress of a long operator command: a tqdm bar on a terminal, and a
line every ``every`` seconds otherwise (logs, CI, ``--no-progress``), so a
run that takes minutes never looks hung."""

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm

type Progress = Callable[[int, int], None]


@contextmanager
def command_progress(
    *, write: Callable[[str], None], unit: str, done_as: str, bar: bool = True, every: float = 10.0
) -> Iterator[Progress]:
    """Yield ``progress(done, of)`` for a service to call as it goes. On a
    terminal (and with ``bar``) a bar counts ``unit``; otherwise ``write``
    (a command's ``self.stdout.write``) gets "  <done>/<of> <done_as> (<s>s)"
    every ``every`` seconds and at the end."""
    show_bar = bar and sys.stderr.isatty()
    progress_bar = tqdm(unit=unit, file=sys.stderr, disable=not show_bar)
    started = time.monotonic()
    last_line = 0.0

    def progress(done: int, of: int) -> None:
        nonlocal last_line
        progress_bar.total = of
        progress_bar.update(done - progress_bar.n)
        now = time.monotonic()
        if not show_bar and (now - last_line >= every or done == of):
            last_line = now
            write(f"  {done}/{of} {done_as} ({now - started:.0f}s)")

    try:
        yield progress
    finally:
        progress_bar.close()
