"""Notifications: list, unread badge, mark all read, clear all, e-mail opt in/out."""

from __future__ import annotations

import json

import boto3

from snapstream_runtime.settings import Settings
from tests.web.browser import BrowserFactory
from tests.web.media_helpers import upload


def test_unread_badge_mark_read_and_clear(
    make_browser: BrowserFactory, web_settings: Settings
) -> None:
    alice = make_browser()
    alice.register("alice")
    upload(alice, web_settings, name="one.png")
    upload(alice, web_settings, name="two.png")
    page = alice.get("/dashboard").get_data(as_text=True)
    assert 'aria-label="2 unread"' in page
    listing = alice.api("GET", "/api/notifications").json
    assert listing["unread"] == 2 and all(n["unread"] for n in listing["items"])
    assert [n["message"] for n in listing["items"]] == [
        "“two.png” was uploaded and is being processed.",
        "“one.png” was uploaded and is being processed.",
    ]
    assert alice.form("/notifications/read", {}).status_code == 302
    listing = alice.api("GET", "/api/notifications").json
    assert listing["unread"] == 0 and not any(n["unread"] for n in listing["items"])
    assert "unread" not in alice.get("/dashboard").get_data(as_text=True).split("<main")[0]
    upload(alice, web_settings, name="three.png")
    assert alice.api("GET", "/api/notifications").json["unread"] == 1
    assert alice.api("DELETE", "/api/notifications").json == {"deleted": 3}
    assert alice.api("GET", "/api/notifications").json["items"] == []


def test_email_opt_in_subscribes_only_this_user(
    make_browser: BrowserFactory, web_settings: Settings
) -> None:
    alice = make_browser()
    alice.register("alice")
    assert alice.api("PUT", "/api/notifications/email", {"enabled": True}).status_code == 200
    sns = boto3.client("sns")
    [subscription] = sns.list_subscriptions_by_topic(TopicArn=web_settings.notifications_topic_arn)[
        "Subscriptions"
    ]
    assert subscription["Protocol"] == "email" and subscription["Endpoint"] == "alice@example.com"
    user_id = alice.api("GET", "/api/me").json["user_id"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])
    assert json.loads(attributes["Attributes"]["FilterPolicy"]) == {"user_id": [user_id]}
    assert alice.api("GET", "/api/me").json["email_notifications"] is True
    assert alice.form("/notifications/email", {}).status_code == 302  # unchecked box: opt out
    assert (
        sns.list_subscriptions_by_topic(TopicArn=web_settings.notifications_topic_arn)[
            "Subscriptions"
        ]
        == []
    )
    assert alice.api("PUT", "/api/notifications/email", {"enabled": "yes"}).status_code == 400
