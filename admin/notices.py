"""The notices page: which channels are on, the outbox's counts, the failed notices (with a
button that sends one again) and the latest ones."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from core.models import NoticeChannel, Role
from core.notices.channels import channel_on
from core.notices.consent import masked_recipient
from core.notices.outbox import (
    CHANNEL_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    failed_notices,
    find_notice,
    outbox_counts,
    recent_notices,
    retry,
)
from web.commit import FAILED, commit_or_explain
from web.roles import roles_required

from . import blueprint
from .common import acting_admin
from .forms import ActionForm


@blueprint.get("/notices")
@roles_required(Role.ADMIN)
def notices():
    return render_template(
        "admin/notices.html",
        channels=[(channel, channel_on(channel)) for channel in NoticeChannel],
        counts=outbox_counts(),
        failed=failed_notices(),
        recent=recent_notices(),
        action=ActionForm(),
        channel_labels=CHANNEL_LABELS,
        kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS,
        masked=masked_recipient,
    )


@blueprint.post("/notices/<int:notice_id>/retry")
@roles_required(Role.ADMIN)
def notice_retry(notice_id: int):
    if ActionForm().validate_on_submit():
        done = commit_or_explain(lambda: retry(find_notice(notice_id), acting_admin()))
        if done is not FAILED:
            flash(_("Thông báo sẽ được gửi lại."), "success")
    return redirect(url_for(".notices"))
