"""Where a page may send a visitor back to: a path on this site, nothing else.

`local_path` is the one check for every target that comes from a request (`?next=` after
sign-in, a form's `next` field): browsers forgive a great deal (`/\\host`, a tab inside
`//`, `%2F%2F` decoded by a proxy), so anything that is not plainly a path of this site
is refused rather than repaired.
"""

import unicodedata
from urllib.parse import unquote, urlsplit

LONGEST_TARGET = 2048


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site (with its query), else None."""
    if not target or len(target) > LONGEST_TARGET or not plainly_local(target):
        return None
    path = target.split("?", 1)[0].split("#", 1)[0]
    for _ in range(2):  # the path decoded once or twice more (by a proxy, a browser)
        path = unquote(path)
        if not plainly_local(path):
            return None
    return target


def plainly_local(target: str) -> bool:
    """Starts with one `/`, names no scheme or host, holds no backslash, no control,
    format or space character."""
    if not target.startswith("/") or target.startswith("//"):
        return False
    if any(character == "\\" or unicodedata.category(character)[0] in "CZ" for character in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
