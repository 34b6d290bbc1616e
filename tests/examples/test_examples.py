"""The example apps a team would copy: each synthesizes with the three nag packs (no open finding,
no stale acknowledgment), passes cfn-lint in its Region and leaves no CDK warning unanswered."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cdk_support import only_resource, resources_of_type
from tests.examples.conftest import EXAMPLES, NAMES, load_example
from tools.assembly import open_violations, stacks, stale_acknowledgments
from tools.cfn_lint_gate import lint


def _template(outdir: Path, stack_name: str) -> dict[str, Any]:
    [artifact] = [s for s in stacks(outdir) if s.stack_name == stack_name]
    return artifact.template


def test_every_example_is_a_runnable_app() -> None:
    for name in NAMES:
        folder = EXAMPLES / name
        assert json.loads((folder / "cdk.json").read_text())["app"] == "python3 app.py"
        module = load_example(name)
        assert callable(module.main) and callable(module.build)
    assert (EXAMPLES / "README.md").exists()


def test_examples_pass_the_nag_gate(examples_assembly: tuple[Path, dict[str, Any]]) -> None:
    outdir, _ = examples_assembly
    assert open_violations(outdir) == []
    assert stale_acknowledgments(outdir) == []


def test_examples_pass_cfn_lint(examples_assembly: tuple[Path, dict[str, Any]]) -> None:
    outdir, _ = examples_assembly
    assert [(m["Rule"]["Id"], Path(m["Filename"]).name, m["Message"]) for m in lint(outdir)] == []


def test_examples_leave_no_cdk_warning(examples_assembly: tuple[Path, dict[str, Any]]) -> None:
    outdir, _ = examples_assembly
    warnings = []
    for metadata in outdir.glob("*.metadata.json"):
        for path, entries in json.loads(metadata.read_text()).items():
            warnings += [(path, e["data"]) for e in entries if e["type"] == "aws:cdk:warning"]
    assert warnings == []


def test_transcoding_reads_sources_and_writes_renditions_only(
    examples_assembly: tuple[Path, dict[str, Any]],
) -> None:
    from botocore.session import get_session
    from botocore.validate import ParamValidator

    outdir, built = examples_assembly
    template = _template(outdir, built["transcoding"].stack_name)
    assert len(resources_of_type(template, "AWS::S3::Bucket")) == 3  # sources, renditions, logs
    for bucket in resources_of_type(template, "AWS::S3::Bucket").values():
        assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    job_template = only_resource(template, "AWS::MediaConvert::JobTemplate")["Properties"]
    # cfn-lint cannot see inside SettingsJson: the MediaConvert API model checks it.
    model = get_session().get_service_model("mediaconvert").operation_model("CreateJobTemplate")
    assert model.input_shape is not None
    report = ParamValidator().validate(
        {"Name": "example", "Settings": job_template["SettingsJson"]}, model.input_shape
    )
    assert not report.has_errors(), report.generate_report()


def test_vod_delivery_signs_every_request_and_keeps_the_identifier_secret(
    examples_assembly: tuple[Path, dict[str, Any]],
) -> None:
    outdir, built = examples_assembly
    template = _template(outdir, built["vod_delivery"].stack_name)
    group = only_resource(template, "AWS::MediaPackage::PackagingGroup")["Properties"]
    assert "CdnIdentifierSecret" in group["Authorization"]
    config = only_resource(template, "AWS::CloudFront::Distribution")["Properties"][
        "DistributionConfig"
    ]
    behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert all(b["TrustedKeyGroups"] for b in behaviors)
    header = json.dumps(config["Origins"])
    assert "{{resolve:secretsmanager:" in header
    outputs = template["Outputs"]
    assert {"BucketPolicyStatement", "KeyPolicyStatement", "PlaybackKeyPairId"} <= set(outputs)


def test_ingest_spine_alarms_go_to_the_existing_topic(
    examples_assembly: tuple[Path, dict[str, Any]],
) -> None:
    outdir, built = examples_assembly
    template = _template(outdir, built["ingest_spine"].stack_name)
    alarms = resources_of_type(template, "AWS::CloudWatch::Alarm").values()
    assert len(alarms) == 3
    topic = "arn:aws:sns:eu-west-1:123456789012:team-alarms"
    assert all(a["Properties"]["AlarmActions"] == [topic] for a in alarms)
    assert all(a["Properties"]["OKActions"] == [topic] for a in alarms)
    statements = [
        statement
        for policy in resources_of_type(template, "AWS::SQS::QueuePolicy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement.get("Sid") == "AllowS3ObjectCreatedNotifications"
    ]
    [admits_s3] = statements  # for this bucket and account only (queues.py)
    assert set(admits_s3["Condition"]) == {"ArnEquals", "StringEquals"}
    [notified] = [
        b
        for b in resources_of_type(template, "AWS::S3::Bucket").values()
        if "NotificationConfiguration" in b["Properties"]
    ]
    [queue_config] = notified["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert queue_config["Event"] == "s3:ObjectCreated:*"
    mapping = only_resource(template, "AWS::Lambda::EventSourceMapping")["Properties"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


@pytest.mark.parametrize("name", NAMES)
def test_example_handlers_are_plain_python(name: str) -> None:
    for source in (EXAMPLES / name).rglob("*.py"):
        compile(source.read_text(), str(source), "exec")
