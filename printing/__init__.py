"""Ticket printing: slips rendered as ESC/POS bytes, durable print jobs and their printers."""

import atexit
import shutil
import tempfile


def _load_printer_database() -> None:
    """Import python-escpos' printer database, removing its cache folder at exit.

    python-escpos 3.1 caches the database in a new temporary folder in every process that
    imports it and never removes the folder: over weeks of worker restarts /tmp fills up.
    """
    made: list[str] = []
    original = tempfile.mkdtemp

    def mkdtemp(*args, **kwargs):
        path = original(*args, **kwargs)
        made.append(path)
        return path

    tempfile.mkdtemp = mkdtemp
    try:
        import escpos.capabilities  # noqa: F401
    finally:
        tempfile.mkdtemp = original
    for path in made:
        atexit.register(shutil.rmtree, path, ignore_errors=True)


_load_printer_database()
