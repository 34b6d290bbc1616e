"""Intrinsic functions and the documented Ref / GetAtt return values."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tools.authority import Environment, Unresolvable

ACCOUNT, REGION = "123456789012", "us-east-1"

DATA: dict[str, Any] = {
    "Resources": {
        "Bucket1": {"Type": "AWS::S3::Bucket"},
        "Table1": {"Type": "AWS::DynamoDB::Table"},
        "Queue1": {"Type": "AWS::SQS::Queue"},
        "Fifo1": {"Type": "AWS::SQS::Queue", "Properties": {"FifoQueue": True}},
        "Topic1": {"Type": "AWS::SNS::Topic"},
        "Key1": {"Type": "AWS::KMS::Key"},
        "Role1": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/service/"}},
        "Named1": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "explicit-role"}},
        "Function1": {"Type": "AWS::Lambda::Function"},
        "Bus1": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "the-bus"}},
        "Rule1": {"Type": "AWS::Events::Rule", "Properties": {"EventBusName": {"Ref": "Bus1"}}},
        "Rule2": {"Type": "AWS::Events::Rule"},
        "Logs1": {"Type": "AWS::Logs::LogGroup"},
        "McQueue1": {"Type": "AWS::MediaConvert::Queue"},
        "McTemplate1": {"Type": "AWS::MediaConvert::JobTemplate"},
        "Group1": {"Type": "AWS::MediaPackage::PackagingGroup", "Properties": {"Id": "grp"}},
        "Hls1": {
            "Type": "AWS::MediaPackage::PackagingConfiguration",
            "Properties": {"Id": "grp-hls"},
        },
        "Secret1": {"Type": "AWS::SecretsManager::Secret"},
        "Cdn1": {"Type": "AWS::CloudFront::Distribution"},
        "Policy1": {"Type": "AWS::IAM::ManagedPolicy"},
        "Custom1": {"Type": "Custom::Thing"},
    },
    "Outputs": {
        "BucketArn": {
            "Value": {"Fn::GetAtt": ["Bucket1", "Arn"]},
            "Export": {"Name": "test-BucketArn"},
        },
        "TableName": {"Value": {"Ref": "Table1"}},
    },
    "Parameters": {"Ami": {"Type": "String"}},
}
PIPELINE: dict[str, Any] = {"Resources": {"Function2": {"Type": "AWS::Lambda::Function"}}}


@pytest.fixture(scope="module")
def env() -> Environment:
    return Environment.from_templates({"Data": DATA, "Pipeline": PIPELINE}, env_name="test")


def n(logical_id: str) -> str:
    return f"snapstream-test-{logical_id.lower()}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Ref": "Bucket1"}, n("Bucket1")),
        ({"Fn::GetAtt": ["Bucket1", "Arn"]}, f"arn:aws:s3:::{n('Bucket1')}"),
        ({"Ref": "Table1"}, n("Table1")),
        ({"Fn::GetAtt": "Table1.Arn"}, f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{n('Table1')}"),
        ({"Ref": "Queue1"}, f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{n('Queue1')}"),
        ({"Fn::GetAtt": ["Queue1", "Arn"]}, f"arn:aws:sqs:{REGION}:{ACCOUNT}:{n('Queue1')}"),
        ({"Fn::GetAtt": ["Queue1", "QueueName"]}, n("Queue1")),
        ({"Fn::GetAtt": ["Fifo1", "QueueName"]}, f"{n('Fifo1')}.fifo"),
        ({"Ref": "Topic1"}, f"arn:aws:sns:{REGION}:{ACCOUNT}:{n('Topic1')}"),
        ({"Ref": "Key1"}, n("Key1")),
        ({"Fn::GetAtt": ["Key1", "Arn"]}, f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{n('Key1')}"),
        ({"Ref": "Role1"}, n("Role1")),
        ({"Fn::GetAtt": ["Role1", "Arn"]}, f"arn:aws:iam::{ACCOUNT}:role/service/{n('Role1')}"),
        ({"Fn::GetAtt": ["Named1", "Arn"]}, f"arn:aws:iam::{ACCOUNT}:role/explicit-role"),
        ({"Ref": "Policy1"}, f"arn:aws:iam::{ACCOUNT}:policy/{n('Policy1')}"),
        ({"Ref": "Function1"}, n("Function1")),
        (
            {"Fn::GetAtt": ["Function1", "Arn"]},
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{n('Function1')}",
        ),
        ({"Ref": "Bus1"}, "the-bus"),
        ({"Fn::GetAtt": ["Bus1", "Arn"]}, f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/the-bus"),
        (
            {"Fn::GetAtt": ["Rule1", "Arn"]},
            f"arn:aws:events:{REGION}:{ACCOUNT}:rule/the-bus/{n('Rule1')}",
        ),
        ({"Ref": "Rule1"}, f"the-bus|{n('Rule1')}"),
        ({"Fn::GetAtt": ["Rule2", "Arn"]}, f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{n('Rule2')}"),
        (
            {"Fn::GetAtt": ["Logs1", "Arn"]},
            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{n('Logs1')}:*",
        ),
        (
            {"Fn::GetAtt": ["McQueue1", "Arn"]},
            f"arn:aws:mediaconvert:{REGION}:{ACCOUNT}:queues/{n('McQueue1')}",
        ),
        (
            {"Fn::GetAtt": ["McTemplate1", "Arn"]},
            f"arn:aws:mediaconvert:{REGION}:{ACCOUNT}:jobTemplates/{n('McTemplate1')}",
        ),
        ({"Fn::GetAtt": ["McTemplate1", "Name"]}, n("McTemplate1")),
        ({"Ref": "Group1"}, "grp"),
        (
            {"Fn::GetAtt": ["Group1", "Arn"]},
            f"arn:aws:mediapackage-vod:{REGION}:{ACCOUNT}:packaging-groups/grp",
        ),
        (
            {"Fn::GetAtt": ["Hls1", "Arn"]},
            f"arn:aws:mediapackage-vod:{REGION}:{ACCOUNT}:packaging-configurations/grp-hls",
        ),
        ({"Ref": "Cdn1"}, n("Cdn1")),
        ({"Fn::GetAtt": ["Cdn1", "DomainName"]}, f"{n('Cdn1')}.cloudfront.net"),
    ],
)
def test_ref_and_get_att_follow_cloudformation(env: Environment, value: Any, expected: str) -> None:
    assert env.resolve(value, "Data") == expected


def test_secret_ref_is_an_arn_with_a_suffix(env: Environment) -> None:
    arn = env.resolve({"Ref": "Secret1"}, "Data")
    assert arn.startswith(f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{n('Secret1')}-")
    assert len(arn.rsplit("-", 1)[1]) == 6


def test_functions_and_pseudo_parameters(env: Environment) -> None:
    join = {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Ref": "Bucket1"}, "/*"]]
    }
    assert env.resolve(join, "Data") == f"arn:aws:s3:::{n('Bucket1')}/*"
    sub = {"Fn::Sub": "${AWS::Region}:${AWS::AccountId}:${Bucket1}:${Bucket1.Arn}:${!Literal}"}
    assert (
        env.resolve(sub, "Data")
        == f"{REGION}:{ACCOUNT}:{n('Bucket1')}:arn:aws:s3:::{n('Bucket1')}:${{Literal}}"
    )
    sub_with_variables = {"Fn::Sub": ["${X}-${AWS::URLSuffix}", {"X": {"Ref": "Table1"}}]}
    assert env.resolve(sub_with_variables, "Data") == f"{n('Table1')}-amazonaws.com"
    split = {"Fn::Select": [1, {"Fn::Split": [":", {"Fn::GetAtt": ["Bucket1", "Arn"]}]}]}
    assert env.resolve(split, "Data") == "aws"
    assert env.resolve({"Ref": "AWS::StackName"}, "Data") == "SnapStream-test-Data"
    stack_id = env.resolve({"Ref": "AWS::StackId"}, "Data")
    assert stack_id.startswith(
        f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/SnapStream-test-Data/"
    )
    assert env.resolve({"Fn::Base64": "hi"}, "Data") == base64.b64encode(b"hi").decode()
    nested = {"A": [{"Ref": "AWS::NoValue"}, {"Ref": "Key1"}], "B": {"Ref": "AWS::NoValue"}}
    assert env.resolve(nested, "Data") == {"A": [n("Key1")]}


def test_cross_stack_references(env: Environment) -> None:
    assert (
        env.resolve({"Fn::ImportValue": "test-BucketArn"}, "Pipeline")
        == f"arn:aws:s3:::{n('Bucket1')}"
    )
    output = {"StackName": "SnapStream-test-Data", "Region": REGION, "OutputName": "TableName"}
    assert env.resolve({"Fn::GetStackOutput": output}, "Pipeline") == n("Table1")


@pytest.mark.parametrize(
    "value",
    [
        {"Ref": "Custom1"},
        {"Fn::GetAtt": ["Bucket1", "WebsiteURL"]},
        {"Ref": "Ami"},
        {"Ref": "Missing"},
        {"Fn::ImportValue": "nobody-exports-this"},
        {"Fn::GetStackOutput": {"StackName": "Elsewhere", "OutputName": "X"}},
        {"Fn::If": ["Cond", 1, 2]},
        {"Ref": "AWS::NoSuchPseudo"},
    ],
)
def test_anything_else_is_unresolvable(env: Environment, value: Any) -> None:
    with pytest.raises(Unresolvable):
        env.resolve(value, "Data")


def test_a_physical_name_callback_names_every_resource() -> None:
    env = Environment.from_templates(
        {"Data": DATA, "Pipeline": PIPELINE},
        env_name="test",
        physical_name=lambda stack, lid, kind, properties: f"local-{lid.lower()}"[:63],
    )
    assert env.name("Data", "Bucket1") == "local-bucket1"
    assert (
        env.name("Data", "Bus1") == "local-bus1"
    )  # as tools/local/aws names it, whatever Name says
    assert env.arn("Data", "Named1") == f"arn:aws:iam::{ACCOUNT}:role/local-named1"


def test_find_by_construct_path() -> None:
    template = {
        "Resources": {
            "IngestRoleEE92D549": {"Type": "AWS::IAM::Role"},
            "IngestRoleDefaultPolicy12345678": {"Type": "AWS::IAM::Policy"},
            "IngestFunctionB02ED0EB": {"Type": "AWS::Lambda::Function"},
        }
    }
    env = Environment.from_templates({"Pipeline": template}, env_name="test")
    assert env.find("Pipeline", "Ingest/Role") == "IngestRoleEE92D549"
    assert (
        env.find("Pipeline", "IngestFunction", "AWS::Lambda::Function") == "IngestFunctionB02ED0EB"
    )
    with pytest.raises(LookupError):
        env.find("Pipeline", "Ingest")
