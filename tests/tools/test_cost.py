"""The cost model counts what the synthesized templates hold, and docs/cost.md is current."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from stacks.config import ENVIRONMENTS
from tests.cdk_support import (
    environment_resources,
    named_resource,
    only_resource,
    resources_of_type,
)
from tools.cost.idle import CostLine, idle_lines
from tools.cost.inventory import Environment, environments
from tools.cost.prices import HOURS_PER_MONTH, PRICES, PRICES_AS_OF
from tools.cost.report import DOC, render
from tools.cost.uploads import DURATION_MS, per_upload_lines, rekognition_image_apis

ENVS = list(ENVIRONMENTS)
Templates = dict[tuple[str, str], dict[str, Any]]


@pytest.fixture(scope="module")
def cost_envs(cloud_assembly: Path) -> dict[str, Environment]:
    return {env.name: env for env in environments(cloud_assembly)}


def _count(templates: Templates, env: str, resource_type: str) -> int:
    return len(environment_resources(templates, env, resource_type))


def _line(lines: list[CostLine], item: str) -> CostLine | None:
    found = [line for line in lines if line.item == item]
    assert len(found) <= 1
    return found[0] if found else None


def test_the_model_covers_every_environment(cost_envs: dict[str, Environment]) -> None:
    assert list(cost_envs) == ENVS


@pytest.mark.parametrize("env", ENVS)
def test_nat_comes_from_the_template(
    cost_envs: dict[str, Environment], templates: Templates, env: str
) -> None:
    lines = idle_lines(cost_envs[env])
    gateways = _count(templates, env, "AWS::EC2::NatGateway")
    gateway_line = _line(lines, "NAT gateways")
    assert (gateway_line.quantity if gateway_line else 0) == gateways * HOURS_PER_MONTH
    nat_instances = [
        r
        for r in resources_of_type(templates[env, "Web"], "AWS::EC2::Instance").values()
        if r["Properties"]["SourceDestCheck"] is False
    ]
    instance_lines = [line for line in lines if line.item.startswith("EC2 NAT instance")]
    assert sum(line.quantity for line in instance_lines) == len(nat_instances) * HOURS_PER_MONTH
    config = ENVIRONMENTS[env]
    expected = (0, config.nat_gateways) if config.nat == "instance" else (config.nat_gateways, 0)
    assert (gateways, len(nat_instances)) == expected


@pytest.mark.parametrize("env", ENVS)
def test_web_instances_are_the_groups_minimum(
    cost_envs: dict[str, Environment], templates: Templates, env: str
) -> None:
    web = templates[env, "Web"]
    group = only_resource(web, "AWS::AutoScaling::AutoScalingGroup")["Properties"]
    _, template = named_resource(web, "AWS::EC2::LaunchTemplate", "HostingLaunchTemplate")
    instance_type = template["Properties"]["LaunchTemplateData"]["InstanceType"]
    line = _line(idle_lines(cost_envs[env]), f"EC2 Auto Scaling group at MinSize: {instance_type}")
    assert line is not None
    assert line.quantity == int(group["MinSize"]) * HOURS_PER_MONTH
    assert int(group["MinSize"]) == ENVIRONMENTS[env].web_min_capacity


@pytest.mark.parametrize("env", ENVS)
@pytest.mark.parametrize(
    ("item", "resource_type"),
    [
        ("KMS customer managed keys", "AWS::KMS::Key"),
        ("Secrets Manager secrets", "AWS::SecretsManager::Secret"),
        ("CloudWatch dashboards", "AWS::CloudWatch::Dashboard"),
        ("WAF web ACLs", "AWS::WAFv2::WebACL"),
    ],
)
def test_counted_resources_match_the_templates(
    cost_envs: dict[str, Environment], templates: Templates, env: str, item: str, resource_type: str
) -> None:
    line = _line(idle_lines(cost_envs[env]), item)
    assert (line.quantity if line else 0) == _count(templates, env, resource_type)


@pytest.mark.parametrize("env", ENVS)
def test_alarms_are_counted_per_metric(
    cost_envs: dict[str, Environment], templates: Templates, env: str
) -> None:
    alarms = _count(templates, env, "AWS::CloudWatch::Alarm")
    line = _line(idle_lines(cost_envs[env]), "CloudWatch alarms")
    if alarms == 0:
        assert line is None
        return
    assert line is not None
    assert line.basis.startswith(f"{alarms} AWS::CloudWatch::Alarm")
    assert line.quantity >= alarms


def test_the_cheap_profile_makes_dev_cheaper_than_staging(
    cost_envs: dict[str, Environment],
) -> None:
    dev, staging = (sum(line.usd for line in idle_lines(cost_envs[e])) for e in ("dev", "staging"))
    assert ENVIRONMENTS["dev"].nat == "instance"
    assert ENVIRONMENTS["staging"].nat == "gateway"
    assert staging - dev > 20  # a NAT gateway and its address against a t4g.nano


@pytest.mark.parametrize("env", ENVS)
def test_lambda_compute_uses_the_templates_memory(
    cost_envs: dict[str, Environment], templates: Templates, env: str
) -> None:
    functions = resources_of_type(templates[env, "Pipeline"], "AWS::Lambda::Function").values()
    memory = {
        f["Properties"]["Handler"].split(".")[-2]: f["Properties"]["MemorySize"]
        for f in functions
        if f["Properties"]["Handler"].startswith("snapstream_runtime.handlers.")
    }
    image = per_upload_lines(cost_envs[env])["image"]
    line = _line(image, "Lambda compute (GB-seconds)")
    assert line is not None
    expected = (
        (
            memory["ingest"] * DURATION_MS["ingest"]
            + memory["analysis"] * DURATION_MS["analysis:image"]
        )
        / 1024
        / 1000
    )
    assert line.quantity == pytest.approx(expected)


@pytest.mark.parametrize("env", ENVS)
def test_analysis_and_transcoding_follow_the_configuration(
    cost_envs: dict[str, Environment], env: str
) -> None:
    config = ENVIRONMENTS[env]
    lines = per_upload_lines(cost_envs[env])
    images = _line(lines["image"], "Rekognition Image API calls")
    assert images is not None
    always = [api for api, guard in rekognition_image_apis().items() if guard is None]
    assert images.quantity == len(always) + (1 if config.celebrity_recognition else 0)
    tier = "professional" if config.accelerated_transcoding else "basic"
    assert any(tier in line.item for line in lines["video"] if line.item.startswith("MediaConvert"))
    segments = _line(lines["video"], "Rekognition segment minutes")
    assert (segments is not None) == config.video_text_and_segments


def test_every_price_is_dated_and_sourced() -> None:
    assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", PRICES_AS_OF)
    for name, price in PRICES.items():
        assert price.usd > 0, name
        assert price.source.startswith("https://aws.amazon.com/"), name


def test_docs_cost_md_is_current(cloud_assembly: Path) -> None:
    rendered = render(cloud_assembly)
    assert f"as of {PRICES_AS_OF}" in rendered
    assert DOC.read_text(encoding="utf-8") == rendered, "docs/cost.md is stale: run `make cost`"


def test_custom_metrics_are_one_per_outcome_and_one_duration_per_step(
    cost_envs: dict[str, Environment],
) -> None:
    from snapstream_runtime.analysis_steps import AnalysisOutcome
    from snapstream_runtime.deletion import DeletionOutcome
    from snapstream_runtime.ingest import Outcome
    from snapstream_runtime.mail_events import MailEventOutcome
    from snapstream_runtime.stuck_media import SweepOutcome
    from snapstream_runtime.video import VideoOutcome
    from tools.cost.idle import custom_metrics

    video, analysis = len(VideoOutcome) + 2, len(AnalysisOutcome) + 2  # + "deleted", duration
    deletion = len(DeletionOutcome) + 1
    stuck = len(SweepOutcome) + 3  # + "failed", StuckMedia, duration
    mail = len(MailEventOutcome) + 1
    expected = (len(Outcome) + 1) + 3 * video + 3 * analysis + deletion + stuck + mail
    for env in cost_envs.values():
        assert custom_metrics(env) == expected
