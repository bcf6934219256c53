"""What many clients share, built once per change of the database and kept by each process.

Twenty boards and two hundred phones ask, twice a second, for pictures of the hall that only
change when a ticket moves. Each process keeps the last pictures it built, keyed by the day's
change version (`core.queue.board.board_version`, one small query that every ticket move
raises in its own transaction) and by whatever else the picture depends on (the language).
A reader reads the version first, then takes the picture kept for it or builds it; so:

- **nothing stale**: a reader that begins after a change was committed reads a later version,
  which no process has kept a picture for unless it built it from that version or a later
  one (the picture's reads come after its version's, in the same snapshot on SQLite, in
  later ones under PostgreSQL's read committed);
- **several workers and servers**: nothing is shared between processes but the database;
  each process builds a picture once per version it is asked for, and only when the version
  it reads differs from the ones it holds;
- **bounded**: a few of the latest versions are kept per kind, the rest forgotten;
- **time**: a picture that the clock alone can make wrong (the queue's places, when a booked
  ticket's slot starts) says so through `fresh`, and is built again once it no longer holds.

The pictures are kept on the application (`app.extensions`), so two apps in one process (the
tests') never see each other's, and each is read-only once built.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

KEPT_PER_KIND = 16  # pictures kept of each kind: a few versions, each in a few languages

_EXTENSION = "onestop.shared_state"

T = TypeVar("T")

_MISSING = object()
_keeping = threading.Lock()  # threaded servers: one thread at a time adds and trims


def _kept(kind: str) -> OrderedDict:
    kinds = current_app.extensions.setdefault(_EXTENSION, {})
    kept = kinds.get(kind)
    if kept is None:
        kept = kinds[kind] = OrderedDict()
    return kept


def per_version(
    kind: str,
    key: Hashable,
    build: Callable[[], T],
    fresh: Callable[[T], bool] | None = None,
) -> T:
    """The `kind` of picture for `key` (the version read just now and what else it depends
    on): kept from an earlier request of this process, or built now by `build()` and kept.
    A kept picture that `fresh` (when given) finds out of date is built again."""
    kept = _kept(kind)
    value = kept.get(key, _MISSING)
    if value is not _MISSING and (fresh is None or fresh(value)):
        return value
    value = build()  # two threads may both build it: the same picture, kept once
    with _keeping:
        kept[key] = value
        kept.move_to_end(key)
        while len(kept) > KEPT_PER_KIND:
            kept.popitem(last=False)
    return value


def forget_shared_state() -> None:
    """Drop every kept picture of this app (tests)."""
    current_app.extensions.pop(_EXTENSION, None)
