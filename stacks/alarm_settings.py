"""Checks of an environment's alarm destination (stacks/config.py; docs/operations.md)."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: An existing standard SNS topic (CloudWatch alarms cannot publish to FIFO topics).
_SNS_TOPIC_ARN = re.compile(
    r"^arn:aws[a-z-]*:sns:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):[A-Za-z0-9_-]{1,256}$"
)
#: An existing AWS Chatbot (Amazon Q Developer in chat applications) channel configuration.
_CHATBOT_ARN = re.compile(
    r"^arn:aws[a-z-]*:chatbot::(?P<account>\d{12}):chat-configuration/[A-Za-z0-9-]+/[^/\s]+$"
)


def is_chatbot_channel(arn: str | None) -> bool:
    """Whether ``arn`` names an AWS Chatbot channel configuration (not an SNS topic)."""
    return bool(arn and _CHATBOT_ARN.match(arn))


def alarm_destination_problems(
    *,
    name: str,
    account: str | None,
    region: str | None,
    alarm_email: str | None,
    alarm_topic_arn: str | None,
    required: bool,
    destination: str | None,
) -> list[str]:
    """What is wrong with where environment ``name``'s alarms go, in words (empty: nothing)."""
    problems = []
    if alarm_email is not None and not _EMAIL.match(alarm_email):
        problems.append(f"alarm_email {alarm_email!r} is not an e-mail address")
    if alarm_topic_arn is not None:
        arn = _SNS_TOPIC_ARN.match(alarm_topic_arn) or _CHATBOT_ARN.match(alarm_topic_arn)
        if arn is None:
            problems.append(
                f"alarm_topic_arn {alarm_topic_arn!r} must be a standard SNS topic ARN "
                "(arn:aws:sns:<region>:<account>:<name>) or an AWS Chatbot channel ARN "
                "(arn:aws:chatbot::<account>:chat-configuration/<type>/<name>)"
            )
        elif account is not None and arn["account"] != account:
            problems.append(f"alarm_topic_arn must be in this environment's account {account}")
        elif "region" in arn.groupdict() and region not in (None, arn["region"]):
            problems.append(f"alarm_topic_arn must be in this environment's Region {region}")
    if required and account is not None and destination is None:
        problems.append(
            f"it is deployed to account {account} but its alarms would reach nobody: "
            f"set alarm_email and/or alarm_topic_arn, e.g. -c snapstream="
            f'\'{{"{name}":{{"alarm_email":"ops@example.com"}}}}\''
        )
    return problems
