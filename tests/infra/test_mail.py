"""The site's e-mail through SES (stacks/mail.py): identity, configuration set, bounce and
complaint handling, and the site's one sending permission, in every environment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stacks.config import ENVIRONMENTS, resolve_environments
from tests.cdk_support import named_resource, only_resource, resources_of_type
from tools.assembly import open_violations, stacks
from tools.synthesis import synthesize_all

ENVS = list(ENVIRONMENTS)
Templates = dict[tuple[str, str], dict[str, Any]]
DOMAIN = {"mail_from": "news@mail.example.org", "mail_domain": "mail.example.org"}


def _web(templates: Templates, env: str) -> dict[str, Any]:
    return templates[env, "Web"]


def _ref(template: dict[str, Any], resource_type: str, path: str) -> dict[str, str]:
    return {"Ref": named_resource(template, resource_type, path)[0]}


@pytest.mark.parametrize("env", ENVS)
def test_an_identity_and_a_configuration_set_with_tls_and_suppression(
    templates: Templates, env: str
) -> None:
    web = _web(templates, env)
    identity = only_resource(web, "AWS::SES::EmailIdentity")
    config = ENVIRONMENTS[env]
    assert identity["Properties"]["EmailIdentity"] == config.mail_from
    configuration_set = _ref(web, "AWS::SES::ConfigurationSet", "MailConfigurationSet")
    assert identity["Properties"]["ConfigurationSetAttributes"] == {
        "ConfigurationSetName": configuration_set
    }
    settings = only_resource(web, "AWS::SES::ConfigurationSet")
    properties = settings["Properties"]
    assert properties["DeliveryOptions"] == {"TlsPolicy": "REQUIRE"}
    assert properties["SuppressionOptions"] == {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]}
    assert properties["SendingOptions"] == {"SendingEnabled": True}
    assert "Name" not in properties  # a generated name: two environments share an account


@pytest.mark.parametrize("env", ENVS)
def test_bounces_and_complaints_reach_the_mail_events_function_through_an_encrypted_topic(
    templates: Templates, env: str
) -> None:
    web = _web(templates, env)
    destination = only_resource(web, "AWS::SES::ConfigurationSetEventDestination")
    topic = _ref(web, "AWS::SNS::Topic", "MailEventsTopic")
    assert destination["Properties"]["EventDestination"] == {
        "Enabled": True,
        "MatchingEventTypes": ["bounce", "complaint"],
        "SnsDestination": {"TopicARN": topic},
    }
    _, sns_topic = named_resource(web, "AWS::SNS::Topic", "MailEventsTopic")
    assert "DataKey" in json.dumps(sns_topic["Properties"]["KmsMasterKeyId"])
    [policy] = [
        p
        for p in resources_of_type(web, "AWS::SNS::TopicPolicy").values()
        if p["Properties"]["Topics"] == [topic]
    ]
    [allow] = [
        s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"
    ]
    assert allow["Principal"] == {"Service": "ses.amazonaws.com"}
    assert allow["Action"] == "sns:Publish"
    conditions = allow["Condition"]["StringEquals"]
    assert set(conditions) == {"AWS:SourceAccount", "AWS:SourceArn"}
    assert "configuration-set/" in json.dumps(conditions["AWS:SourceArn"])
    [subscription] = resources_of_type(web, "AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Protocol"] == "lambda"
    assert "MailEventsFunction" in json.dumps(subscription["Properties"]["Endpoint"])
    assert "RedrivePolicy" in subscription["Properties"]  # undeliverable events are kept
    # SES may use the data key for that topic, for this account only.
    _, key = named_resource(templates[env, "Data"], "AWS::KMS::Key", "DataKey")
    [ses] = [
        s
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if s.get("Principal") == {"Service": "ses.amazonaws.com"}
    ]
    assert ses["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}


@pytest.mark.parametrize("env", ENVS)
def test_the_mail_events_function_may_only_mark_email_claims(
    templates: Templates, env: str
) -> None:
    web = _web(templates, env)
    _, function = named_resource(web, "AWS::Lambda::Function", "MailEventsFunction")
    properties = function["Properties"]
    assert properties["Handler"] == "snapstream_runtime.handlers.mail_events.handler"
    assert properties["ReservedConcurrentExecutions"] == 1
    assert "DeadLetterConfig" in properties
    _, policy = named_resource(web, "AWS::IAM::ManagedPolicy", "MailEventsPolicy")
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    [table] = [s for s in statements if "dynamodb" in json.dumps(s["Action"])]
    assert table["Action"] == "dynamodb:UpdateItem"
    assert table["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["EMAIL#*"]}}


@pytest.mark.parametrize("env", ENVS)
def test_the_site_sends_as_mail_from_through_this_identity_and_configuration_set_only(
    templates: Templates, env: str
) -> None:
    web = _web(templates, env)
    sending = [
        s
        for policy in resources_of_type(web, "AWS::IAM::ManagedPolicy").values()
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if "ses:" in json.dumps(s["Action"])
    ]
    [statement] = sending  # the site's only SES permission in the whole stack
    assert statement["Action"] == "ses:SendEmail"
    assert statement["Condition"] == {
        "StringEquals": {"ses:FromAddress": ENVIRONMENTS[env].mail_from}
    }
    resources = json.dumps(statement["Resource"])
    assert "identity/" in resources and "MailIdentity" in resources
    assert "configuration-set/" in resources and "MailConfigurationSet" in resources
    assert "*" not in resources


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"mail_from": "not an address"}, "is not a plain e-mail address"),
        ({"mail_from": "<script>@example.com"}, "is not a plain e-mail address"),
        ({"mail_from": "a@b.example", "mail_domain": "other.example"}, "the one of mail_from"),
        ({"mail_domain": "no spaces.example"}, "must be a domain name"),
        ({"email_verification_hours": 0}, "email_verification_hours must be 1-168"),
        ({"password_reset_minutes": 2}, "password_reset_minutes must be 5-1440"),
    ],
)
def test_bad_mail_settings_are_refused(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        resolve_environments(
            overrides={"dev": settings}, default_account=None, default_region=None, selected="dev"
        )


@pytest.fixture(scope="module")
def with_domain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthesize_all(
        tmp_path_factory.mktemp("mail-domain"),
        overrides={"staging": DOMAIN},
    )


def test_a_mail_domain_is_verified_by_dkim_and_still_only_mail_from_may_send(
    with_domain: Path,
) -> None:
    [web] = [s for s in stacks(with_domain) if s.stack_name == "SnapStream-staging-Web"]
    assert open_violations(with_domain) == []
    identity = only_resource(web.template, "AWS::SES::EmailIdentity")
    assert identity["Properties"]["EmailIdentity"] == "mail.example.org"
    dkim = [o for name, o in web.template["Outputs"].items() if name.startswith("MailDkimRecord")]
    assert len(dkim) == 3 and all("CNAME" in json.dumps(o["Value"]) for o in dkim)
    conditions = [
        s["Condition"]
        for policy in resources_of_type(web.template, "AWS::IAM::ManagedPolicy").values()
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if s["Action"] == "ses:SendEmail"
    ]
    assert conditions == [{"StringEquals": {"ses:FromAddress": "news@mail.example.org"}}]
