"""Environment configuration: validation, context overrides and selection."""

from __future__ import annotations

import dataclasses

import pytest

from stacks.config import ENVIRONMENTS, EnvironmentConfig, resolve_environments


def test_three_environments_with_prod_retaining_data() -> None:
    assert list(ENVIRONMENTS) == ["dev", "staging", "prod"]
    assert [c.retain_data for c in ENVIRONMENTS.values()] == [False, False, True]


def test_configs_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ENVIRONMENTS["dev"].name = "other"  # type: ignore[misc]


def test_account_and_region_default_from_cdk_defaults() -> None:
    [dev] = resolve_environments(
        overrides={}, default_account="123456789012", default_region="eu-west-1", selected="dev"
    )
    assert (dev.account, dev.region) == ("123456789012", "eu-west-1")


def test_context_overrides_win_over_defaults() -> None:
    [prod] = resolve_environments(
        overrides={"prod": {"account": "210987654321", "alarm_email": "ops@example.com"}},
        default_account="123456789012",
        default_region=None,
        selected="prod",
    )
    assert (prod.account, prod.region, prod.alarm_email) == (
        "210987654321",
        "us-east-1",
        "ops@example.com",
    )


@pytest.mark.parametrize(
    ("overrides", "selected", "message"),
    [
        ({"qa": {}}, None, "unknown environments"),
        ({}, "dev,qa", "unknown environments selected"),
        ({"dev": {"colour": "blue"}}, None, "unknown settings"),
        ({"dev": {"account": "12"}}, None, "must be 12 digits"),
        ({"dev": {"uploads_infrequent_access_after_days": 7}}, None, ">= 30"),
        ({"dev": {"site_domain": "media.example.com"}}, None, "go together"),
        (
            {
                "dev": {
                    "site_domain": "media.example.com",
                    "site_certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
                }
            },
            None,
            "site_certificate_arn must be an ACM certificate in us-east-1",
        ),
        ({"dev": {"web_min_capacity": 3, "web_max_capacity": 2}}, None, "web_min_capacity"),
        ({"dev": {"nat_gateways": 0}}, None, "nat_gateways must be 1 or 2"),
        ({"dev": {"nat_gateways": 3}}, None, "nat_gateways must be 1 or 2"),
        ({"dev": {"nat": "none"}}, None, 'nat must be "gateway" or "instance"'),
        ({"dev": {"nat_instance_type": "t3.nano"}}, None, "nat_instance_type"),
        ({"dev": {"web_instance_type": "t3.small"}}, None, "Graviton"),
        ({"dev": {"web_workers": 0}}, None, "web_workers"),
        ({"dev": {"web_rate_limit_per_5min": 5}}, None, "web_rate_limit_per_5min"),
        ({"dev": {"web_login_rate_limit_per_5min": 9}}, None, "web_login_rate_limit_per_5min"),
        (
            {"dev": {"web_rate_limit_per_5min": 50, "web_login_rate_limit_per_5min": 60}},
            None,
            "web_login_rate_limit_per_5min must be 10",
        ),
        ({"dev": {"web_session_idle_minutes": 4}}, None, "web_session_idle_minutes must be"),
        ({"dev": {"web_session_absolute_hours": 0}}, None, "web_session_absolute_hours must be"),
        ({"dev": {"web_session_absolute_hours": 721}}, None, "web_session_absolute_hours must be"),
        (
            {"dev": {"web_session_idle_minutes": 180, "web_session_absolute_hours": 2}},
            None,
            "cannot exceed",
        ),
        ({"dev": {"web_session_key_generation": 0}}, None, "web_session_key_generation"),
        ({"dev": {"max_image_pixels": 999_999}}, None, "max_image_pixels must be"),
        ({"dev": {"max_image_pixels": 178_956_971}}, None, "decompression bombs"),
    ],
)
def test_bad_configuration_is_refused_with_a_clear_message(overrides, selected, message) -> None:
    with pytest.raises(ValueError, match=message):
        resolve_environments(
            overrides=overrides, default_account=None, default_region=None, selected=selected
        )


def test_site_origin_follows_the_domain() -> None:
    config = EnvironmentConfig(
        name="demo",
        site_domain="media.example.com",
        site_certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc",
    )
    assert config.site_origins == ("https://media.example.com",)
    assert ENVIRONMENTS["prod"].site_origins == ()
    assert "http://localhost:8080" in ENVIRONMENTS["dev"].site_origins


@pytest.mark.parametrize("instance_type", ["t4g.small", "m7g.large", "c7gn.xlarge", "m6gd.2xlarge"])
def test_graviton_instance_types_are_accepted(instance_type: str) -> None:
    config = EnvironmentConfig(name="demo", web_instance_type=instance_type)
    assert config.web_instance_type == instance_type


def test_admins_need_two_factor_outside_dev_and_sessions_are_shorter_in_prod() -> None:
    assert not ENVIRONMENTS["dev"].require_admin_two_factor
    assert ENVIRONMENTS["staging"].require_admin_two_factor
    assert ENVIRONMENTS["prod"].require_admin_two_factor
    idle = {name: config.web_session_idle_minutes for name, config in ENVIRONMENTS.items()}
    assert idle["prod"] <= idle["staging"] <= idle["dev"]


def test_dev_stays_cheap() -> None:
    dev = ENVIRONMENTS["dev"]
    assert (dev.nat_gateways, dev.nat, dev.web_min_capacity) == (1, "instance", 1)
    assert (ENVIRONMENTS["prod"].nat_gateways, ENVIRONMENTS["prod"].nat) == (2, "gateway")


def test_alarm_thresholds_are_overridden_one_by_one_from_context() -> None:
    [prod] = resolve_environments(
        overrides={"prod": {"alarms": {"load_balancer_5xx": 20}}},
        default_account=None,
        default_region=None,
        selected="prod",
    )
    assert prod.alarms.load_balancer_5xx == 20
    assert prod.alarms.cdn_5xx_rate_percent == ENVIRONMENTS["prod"].alarms.cdn_5xx_rate_percent


def test_unknown_or_non_positive_alarm_thresholds_are_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown alarms \['errors'\]"):
        resolve_environments(
            overrides={"dev": {"alarms": {"errors": 1}}},
            default_account=None,
            default_region=None,
        )
    with pytest.raises(ValueError, match="alarm threshold function_errors must be positive"):
        resolve_environments(
            overrides={"dev": {"alarms": {"function_errors": 0}}},
            default_account=None,
            default_region=None,
        )


def test_queue_age_and_rule_delivery_thresholds_are_overridden_and_checked() -> None:
    [prod] = resolve_environments(
        overrides={"prod": {"alarms": {"ingest_queue_age_seconds": 300}}},
        default_account=None,
        default_region=None,
        selected="prod",
    )
    assert prod.alarms.ingest_queue_age_seconds == 300
    defaults = ENVIRONMENTS["prod"].alarms
    assert prod.alarms.analysis_queue_age_seconds == defaults.analysis_queue_age_seconds
    assert prod.alarms.rule_failed_invocations == defaults.rule_failed_invocations == 1
    # Work queues keep a message 4 days: an alarm on an older one could never fire.
    with pytest.raises(ValueError, match="analysis_queue_age_seconds must be below 345600"):
        resolve_environments(
            overrides={"dev": {"alarms": {"analysis_queue_age_seconds": 4 * 24 * 3600}}},
            default_account=None,
            default_region=None,
        )
    with pytest.raises(ValueError, match="rule_dead_letter_failures must be positive"):
        resolve_environments(
            overrides={"dev": {"alarms": {"rule_dead_letter_failures": 0}}},
            default_account=None,
            default_region=None,
        )


ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:ops-pager"
CHATBOT = f"arn:aws:chatbot::{ACCOUNT}:chat-configuration/slack-channel/ops"


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_a_deployed_environment_without_an_alarm_destination_is_refused(env: str) -> None:
    with pytest.raises(ValueError) as refused:
        resolve_environments(
            overrides={}, default_account=ACCOUNT, default_region=None, selected=env
        )
    message = str(refused.value)
    assert f"environment {env!r}" in message
    assert "alarms would reach nobody" in message
    assert "alarm_email" in message and "alarm_topic_arn" in message
    # The account may come from context as well as from CDK_DEFAULT_ACCOUNT.
    with pytest.raises(ValueError, match="alarms would reach nobody"):
        resolve_environments(
            overrides={env: {"account": ACCOUNT}},
            default_account=None,
            default_region=None,
            selected=env,
        )


@pytest.mark.parametrize(
    ("destination", "where"),
    [
        ({"alarm_email": "ops@example.com"}, "e-mail ops@example.com"),
        ({"alarm_topic_arn": TOPIC}, f"SNS topic {TOPIC}"),
        ({"alarm_topic_arn": CHATBOT}, f"Chatbot channel {CHATBOT}"),
        (
            {"alarm_email": "ops@example.com", "alarm_topic_arn": TOPIC},
            f"e-mail ops@example.com and SNS topic {TOPIC}",
        ),
    ],
)
def test_a_deployed_environment_with_an_alarm_destination_is_accepted(
    destination: dict[str, str], where: str
) -> None:
    [prod] = resolve_environments(
        overrides={"prod": destination},
        default_account=ACCOUNT,
        default_region=None,
        selected="prod",
    )
    assert prod.alarm_destination == where
    assert prod.alarm_topic_is_chatbot == (destination.get("alarm_topic_arn") == CHATBOT)


def test_dev_and_environment_agnostic_environments_need_no_alarm_destination() -> None:
    [dev] = resolve_environments(
        overrides={}, default_account=ACCOUNT, default_region=None, selected="dev"
    )
    assert (dev.account, dev.alarm_destination) == (ACCOUNT, None)
    agnostic = resolve_environments(overrides={}, default_account=None, default_region=None)
    assert [(c.account, c.alarm_destination) for c in agnostic] == [(None, None)] * 3


@pytest.mark.parametrize(
    ("destination", "message"),
    [
        ({"alarm_email": "ops at example.com"}, "is not an e-mail address"),
        ({"alarm_topic_arn": "ops-pager"}, "must be a standard SNS topic ARN"),
        ({"alarm_topic_arn": f"{TOPIC}.fifo"}, "must be a standard SNS topic ARN"),
        ({"alarm_topic_arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"}, "standard SNS topic ARN"),
        (
            {"alarm_topic_arn": "arn:aws:sns:us-east-1:210987654321:ops-pager"},
            f"in this environment's account {ACCOUNT}",
        ),
        (
            {"alarm_topic_arn": "arn:aws:chatbot::210987654321:chat-configuration/slack-channel/o"},
            f"in this environment's account {ACCOUNT}",
        ),
        (
            {"alarm_topic_arn": f"arn:aws:sns:eu-west-1:{ACCOUNT}:ops-pager"},
            "in this environment's Region us-east-1",
        ),
    ],
)
def test_bad_alarm_destinations_are_refused(destination: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        resolve_environments(
            overrides={"prod": destination},
            default_account=ACCOUNT,
            default_region=None,
            selected="prod",
        )
