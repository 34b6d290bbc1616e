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
        ({"dev": {"web_min_capacity": 3, "web_max_capacity": 2}}, None, "web_min_capacity"),
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
