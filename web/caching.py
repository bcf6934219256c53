"""Keeping personal data out of caches: every response of a blueprint that shows it (pages,
printable forms, PDFs, exports, JSON) answers `Cache-Control: no-store`, so neither the
browser's cache, its back button after sign-out nor a proxy keeps a copy."""

from flask import Blueprint, Response


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def keep_out_of_caches(blueprint: Blueprint) -> None:
    """Mark every response of `blueprint`, errors and redirects included, `no-store`."""
    blueprint.after_request(no_store)
