"""Which channels are on: a channel without its settings is off, and nothing is queued on it."""

from __future__ import annotations

from flask import current_app

from core.models import NoticeChannel

SETTING_OF = {
    NoticeChannel.EMAIL: "MAIL_SERVER",
    NoticeChannel.SMS: "SMS_GATEWAY_URL",
    NoticeChannel.ZALO: "ZALO_GATEWAY_URL",
}
PHONE_CHANNELS = (NoticeChannel.SMS, NoticeChannel.ZALO)


def channel_on(channel: NoticeChannel) -> bool:
    return bool(current_app.config.get(SETTING_OF[channel]))


def channels_on() -> list[NoticeChannel]:
    return [channel for channel in NoticeChannel if channel_on(channel)]
