"""How a page's request commits: once, after the domain operation, or not at all.

`commit_or_explain` is the one way an HTML view commits a change. A domain operation only
flushes; a rule it refuses (a `DomainError`) rolls everything back and is explained in the
request's language, beside the form field it names or as a flash message. (The JSON API lets
a `DomainError` reach the app's error handler, which rolls back and answers with its code.)
"""

from collections.abc import Callable

from flask import flash

from core.db.transactions import begin_write_transaction_afresh
from core.errors import DomainError
from extensions import db

FAILED = object()  # what `commit_or_explain` returns when nothing was written


def explain(error: DomainError, form=None) -> None:
    """Say why: beside the field of `form` the error names, above the form, or as a flash."""
    message = error.in_request_language()
    if form is None:
        flash(message, "error")
        return
    field = form._fields.get(error.details.get("field", ""))
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)
    form.error_details = error.details


def commit_or_explain(action: Callable, *, form=None):
    """Run `action` and commit; on a refused rule roll back, `explain` it and return FAILED."""
    try:
        result = action()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        explain(error, form)
        return FAILED
    return result


def commit_reading(record: Callable) -> None:
    """Commit the audit event of a page that only reads personal data (a dossier, a printed
    form, the register): its reads end first, then `record` runs in a writer's turn of its
    own and is committed, so the page is never shown without its trace."""
    begin_write_transaction_afresh()
    record()
    db.session.commit()
