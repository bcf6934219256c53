"""Files that hold personal data (backups, privacy exports) are readable by their owner
only: created 0600, in folders created 0700, whatever the process's umask."""

from __future__ import annotations

import os
from pathlib import Path

OWNER_ONLY_FILE = 0o600
OWNER_ONLY_FOLDER = 0o700


def make_private_folder(folder: Path) -> None:
    """Create `folder` (and its missing parents) readable by the owner only; a folder that
    already exists keeps its mode: whoever made it chose it."""
    missing = [parent for parent in (folder, *folder.parents) if not parent.exists()]
    for parent in reversed(missing):
        parent.mkdir(mode=OWNER_ONLY_FOLDER)
        os.chmod(parent, OWNER_ONLY_FOLDER)  # mkdir's mode passes through the umask


def create_private_file(path: Path) -> None:
    """Create `path` empty (or empty it) with mode 0600, before anything is written to it."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_ONLY_FILE)
    try:
        os.fchmod(descriptor, OWNER_ONLY_FILE)  # an existing file keeps its mode otherwise
    finally:
        os.close(descriptor)


def write_private_file(path: Path, content: bytes) -> None:
    """Write `content` to `path`, readable by the owner only from its first byte."""
    create_private_file(path)
    with open(path, "wb") as handle:
        handle.write(content)
