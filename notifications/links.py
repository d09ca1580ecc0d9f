"""Where a notice may send the person: a path of this site, nothing else."""

from urllib.parse import urlsplit


def local_path(link: str) -> str:
    """``link`` when it is a path on this site (``/orders/A1/``), else "".

    >>> local_path("/orders/A1/?tab=returns#top")
    '/orders/A1/?tab=returns#top'
    >>> [local_path(link) for link in ("https://evil.example/", "//evil.example/", "/\\\\evil.example")]
    ['', '', '']
    >>> [local_path(link) for link in ("javascript:alert(1)", "orders/A1/", "/a\\nb", "")]
    ['', '', '', '']
    """
    if not link.startswith("/") or link.startswith(("//", "/\\")):
        return ""
    if any(char == "\\" or ord(char) < 0x20 or ord(char) == 0x7F for char in link):
        return ""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return ""
    return link
