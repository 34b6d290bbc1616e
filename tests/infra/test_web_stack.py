"""The website's hosting tier as synthesized: network, instances, load balancer, WAF and IAM."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from stacks.config import ENVIRONMENTS
from stacks.runtime_contract import contract
from tests.cdk_support import named_resource, only_resource, resources_of_type
from tools.assembly import StackArtifact

ENVS = list(ENVIRONMENTS)
Templates = dict[tuple[str, str], dict[str, Any]]
#: Every setting the site reads from /etc/snapstream/web.env, by the contract's names.
SITE_SETTINGS = {
    contract.ENV_ENVIRONMENT,
    contract.ENV_TABLE,
    contract.ENV_UPLOADS_BUCKET,
    contract.ENV_UPLOADS_KEY,
    contract.ENV_MAX_UPLOAD_BYTES,
    contract.ENV_PRESIGN_EXPIRY,
    contract.ENV_MEDIA_BUCKET,
    contract.ENV_NOTIFICATIONS_TOPIC,
    contract.ENV_CDN_DOMAIN,
    contract.ENV_SITE_DOMAIN,
    contract.ENV_PLAYBACK_KEY_PAIR_ID,
    contract.ENV_PLAYBACK_KEY_SECRET,
    contract.ENV_PACKAGING_GROUP,
    contract.ENV_DELETION_QUEUE,
    contract.ENV_WEB_SECRET_KEY,
    contract.ENV_WEB_SECURE_COOKIES,
    contract.ENV_WEB_PROXY_COUNT,
    contract.ENV_WEB_SESSION_IDLE,
    contract.ENV_WEB_SESSION_ABSOLUTE,
    contract.ENV_WEB_ADMIN_TWO_FACTOR,
    contract.ENV_MAIL_FROM,
    contract.ENV_MAIL_CONFIGURATION_SET,
    contract.ENV_EMAIL_VERIFICATION_TTL,
    contract.ENV_PASSWORD_RESET_TTL,
    "AWS_DEFAULT_REGION",
}


def _web(templates: Templates, env: str) -> dict[str, Any]:
    return templates[env, "Web"]


def _text(node: Any) -> str:
    """A template value as text, CloudFormation references rendered as ``<...>``."""
    if isinstance(node, str):
        return node
    if isinstance(node, list):
        return "".join(_text(part) for part in node)
    if isinstance(node, dict) and len(node) == 1:
        ((function, argument),) = node.items()
        if function == "Fn::Join":
            return str(argument[0]).join(_text(part) for part in argument[1])
        if function == "Fn::GetAtt":
            return f"<{'.'.join(argument)}>"
        if function == "Ref":
            return f"<{argument}>"
        if function == "Fn::GetStackOutput":
            return f"<{argument['StackName']}:{argument['OutputName']}>"
        if function == "Fn::ImportValue":
            return f"<import:{argument}>"
        if function == "Fn::Sub":
            return str(argument)
    return json.dumps(node)


def _site_launch_template(template: dict[str, Any]) -> dict[str, Any]:
    """The site's launch template data (a NAT instance brings a launch template of its own)."""
    _, resource = named_resource(template, "AWS::EC2::LaunchTemplate", "HostingLaunchTemplate")
    data: dict[str, Any] = resource["Properties"]["LaunchTemplateData"]
    return data


def _user_data(template: dict[str, Any]) -> str:
    data = _site_launch_template(template)
    return _text(data["UserData"]["Fn::Base64"])


def _settings(template: dict[str, Any]) -> dict[str, str]:
    _, _, settings = _user_data(template).rpartition(" -- ")
    return dict(re.findall(r"'([A-Z_][A-Z0-9_]*)=([^']*)'", settings))


def _statements(template: dict[str, Any], policy_id: str) -> list[dict[str, Any]]:
    _, policy = named_resource(template, "AWS::IAM::ManagedPolicy", policy_id)
    statements: list[dict[str, Any]] = policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return actions if isinstance(actions, list) else [actions]


def _listeners(template: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {
        r["Properties"]["Port"]: r["Properties"]
        for r in resources_of_type(template, "AWS::ElasticLoadBalancingV2::Listener").values()
    }


# -- network ---------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVS)
def test_vpc_spans_two_azs_with_flow_logs_and_a_stripped_default_security_group(
    templates: Templates, env: str
) -> None:
    web = _web(templates, env)
    subnets = resources_of_type(web, "AWS::EC2::Subnet")
    assert len(subnets) == 4
    for logical_id, subnet in subnets.items():
        assert subnet["Properties"]["MapPublicIpOnLaunch"] is False, logical_id
    config = ENVIRONMENTS[env]
    gateways = resources_of_type(web, "AWS::EC2::NatGateway")
    instances = resources_of_type(web, "AWS::EC2::Instance")
    nat = instances if config.nat == "instance" else gateways
    assert (len(nat), len(gateways) + len(instances)) == (config.nat_gateways,) * 2
    flow_log = only_resource(web, "AWS::EC2::FlowLog")["Properties"]
    assert flow_log["TrafficType"] == "ALL"
    assert flow_log["ResourceType"] == "VPC"
    only_resource(web, "Custom::VpcRestrictDefaultSG")
    endpoints = resources_of_type(web, "AWS::EC2::VPCEndpoint").values()
    assert {e["Properties"]["VpcEndpointType"] for e in endpoints} == {"Gateway"}
    for log_group in resources_of_type(web, "AWS::Logs::LogGroup").values():
        assert "KmsKeyId" in log_group["Properties"]
        assert log_group["Properties"]["RetentionInDays"] == ENVIRONMENTS[env].log_retention_days


@pytest.mark.parametrize("env", [e for e in ENVS if ENVIRONMENTS[e].nat == "instance"])
def test_nat_instances_are_hardened_and_admit_the_vpc_only(templates: Templates, env: str) -> None:
    web = _web(templates, env)
    for logical_id, resource in resources_of_type(web, "AWS::EC2::Instance").items():
        instance = resource["Properties"]
        assert instance["InstanceType"] == ENVIRONMENTS[env].nat_instance_type
        assert (instance["SourceDestCheck"], instance["Monitoring"]) == (False, True), logical_id
        assert (instance["EbsOptimized"], instance["CreditSpecification"]) == (
            True,
            {"CPUCredits": "standard"},
        )
        assert "KeyName" not in instance
        [interface] = instance["NetworkInterfaces"]
        assert interface["AssociatePublicIpAddress"] is True
        template_id = instance["LaunchTemplate"]["LaunchTemplateId"]["Ref"]
        data = web["Resources"][template_id]["Properties"]["LaunchTemplateData"]
        assert data["MetadataOptions"] == {"HttpPutResponseHopLimit": 1, "HttpTokens": "required"}
        [root] = data["BlockDeviceMappings"]
        assert (root["Ebs"]["Encrypted"], root["Ebs"]["VolumeType"]) == (True, "gp3")
        [group_id] = [g["Fn::GetAtt"][0] for g in interface["GroupSet"]]
        group = web["Resources"][group_id]["Properties"]
        https_from_vpc = [{"CidrIp": "10.0.0.0/16", "FromPort": 443, "ToPort": 443}]
        assert [
            {k: r[k] for k in ("CidrIp", "FromPort", "ToPort")}
            for r in group["SecurityGroupIngress"]
        ] == https_from_vpc
        vpc = only_resource(web, "AWS::EC2::VPC")["Properties"]
        assert vpc["CidrBlock"] == https_from_vpc[0]["CidrIp"]
    routes = resources_of_type(web, "AWS::EC2::Route").values()
    assert sum("InstanceId" in r["Properties"] for r in routes) == 2  # both private subnets


@pytest.mark.parametrize("env", ENVS)
def test_instances_run_in_the_private_subnets(templates: Templates, env: str) -> None:
    web = _web(templates, env)
    group = only_resource(web, "AWS::AutoScaling::AutoScalingGroup")["Properties"]
    zones = {ref["Ref"] for ref in group["VPCZoneIdentifier"]}
    assert len(zones) == 2
    assert all(re.fullmatch(r"HostingVpcPrivateSubnet\d+Subnet[0-9A-F]{8}", z) for z in zones)


# -- instances -------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVS)
def test_launch_template_hardening(templates: Templates, env: str) -> None:
    web = _web(templates, env)
    data = _site_launch_template(web)
    assert data["MetadataOptions"] == {"HttpTokens": "required", "HttpPutResponseHopLimit": 1}
    assert "KeyName" not in data
    assert data["Monitoring"] == {"Enabled": True}
    assert data["InstanceType"] == ENVIRONMENTS[env].web_instance_type
    [root] = data["BlockDeviceMappings"]
    assert root["DeviceName"] == "/dev/xvda"
    assert root["Ebs"]["Encrypted"] is True
    assert root["Ebs"]["VolumeType"] == "gp3"
    image = web["Parameters"][data["ImageId"]["Ref"]]
    assert image["Type"] == "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"
    assert re.fullmatch(
        r"/aws/service/ami-amazon-linux-latest/al2023-ami-.*-arm64", image["Default"]
    )
    assert "Profile" in data["IamInstanceProfile"]["Arn"]["Fn::GetAtt"][0]


@pytest.mark.parametrize("env", ENVS)
def test_releases_roll_one_instance_at_a_time_on_signals(templates: Templates, env: str) -> None:
    config = ENVIRONMENTS[env]
    web = _web(templates, env)
    group_id, group = named_resource(
        web, "AWS::AutoScaling::AutoScalingGroup", "HostingInstancesASG"
    )
    props = group["Properties"]
    assert (props["MinSize"], props["MaxSize"]) == (
        str(config.web_min_capacity),
        str(config.web_max_capacity),
    )
    assert props["HealthCheckType"] == "ELB"
    assert props["HealthCheckGracePeriod"] > 0
    assert group["CreationPolicy"]["ResourceSignal"]["Count"] == config.web_min_capacity
    rolling = group["UpdatePolicy"]["AutoScalingRollingUpdate"]
    assert rolling["WaitOnResourceSignals"] is True
    assert rolling["MaxBatchSize"] == 1
    assert rolling["MinInstancesInService"] < config.web_max_capacity
    user_data = _user_data(web)
    assert f"/opt/aws/bin/cfn-signal --stack SnapStream-{env}-Web --resource {group_id}" in (
        user_data
    )
    assert user_data.index("trap exitTrap EXIT") < user_data.index("install.sh")


@pytest.mark.parametrize("env", ENVS)
def test_user_data_installs_the_site_with_the_contract(templates: Templates, env: str) -> None:
    config = ENVIRONMENTS[env]
    user_data = _user_data(_web(templates, env))
    assert "dnf install -y aws-cfn-bootstrap" in user_data
    assert "dnf install -y python3.12 python3.12-pip unzip" in user_data
    assert "bash '/opt/snapstream/releases/installer/deploy/install.sh'" in user_data
    assert user_data.count("--bundle ") == 2
    assert f"--port {contract.WEB_PORT} " in user_data
    assert f"--health-path '{contract.WEB_HEALTH_PATH}'" in user_data
    assert f"--wsgi-app '{contract.WEB_WSGI_APP}'" in user_data
    workers = config.web_workers if config.web_workers is not None else "auto"
    assert f"--workers {workers} " in user_data


@pytest.mark.parametrize("env", ENVS)
def test_env_file_names_every_setting_the_site_reads(templates: Templates, env: str) -> None:
    config = ENVIRONMENTS[env]
    settings = _settings(_web(templates, env))
    assert set(settings) == SITE_SETTINGS
    assert settings[contract.ENV_ENVIRONMENT] == env
    assert settings[contract.ENV_MAX_UPLOAD_BYTES] == str(config.max_upload_bytes)
    assert settings[contract.ENV_PRESIGN_EXPIRY] == str(config.presign_expiry_seconds)
    # CloudFront adds the viewer to X-Forwarded-For, the load balancer adds CloudFront.
    assert settings[contract.ENV_WEB_PROXY_COUNT] == "2"
    # HTTPS in every environment, through CloudFront: Secure cookies and HSTS everywhere.
    assert settings[contract.ENV_WEB_SECURE_COOKIES] == "true"
    # Sessions end when idle and at the latest after the absolute timeout, per environment.
    idle, absolute = config.web_session_idle_minutes * 60, config.web_session_absolute_hours * 3600
    assert settings[contract.ENV_WEB_SESSION_IDLE] == str(idle)
    assert settings[contract.ENV_WEB_SESSION_ABSOLUTE] == str(absolute)
    required = settings[contract.ENV_WEB_ADMIN_TWO_FACTOR]
    assert required == ("false" if env == "dev" else "true")
    site_domain = settings[contract.ENV_SITE_DOMAIN]
    assert re.fullmatch(r"<SiteDistribution[0-9A-F]{8}\.DomainName>", site_domain)
    assert settings["AWS_DEFAULT_REGION"] == "<AWS::Region>"
    data = f"<SnapStream-{env}-Data:PublishOutput"
    for name in (contract.ENV_TABLE, contract.ENV_UPLOADS_BUCKET, contract.ENV_MEDIA_BUCKET):
        assert settings[name].startswith(data), name
    assert settings[contract.ENV_WEB_SECRET_KEY].startswith("<SessionKeyG")
    assert settings[contract.ENV_PACKAGING_GROUP].startswith(f"SnapStream{env}Data-Packaging-")
    queue = f"<SnapStream-{env}-Pipeline:PublishOutputRefDeletionQueue"
    assert settings[contract.ENV_DELETION_QUEUE].startswith(queue)


def test_the_site_assets_exist(
    stack_artifacts: list[StackArtifact], templates: Templates, cloud_assembly: Path
) -> None:
    [web] = [s for s in stack_artifacts if s.stack_name == "SnapStream-dev-Web"]
    manifest = json.loads(web.template_path.with_suffix("").with_suffix(".assets.json").read_text())
    bundles = {
        asset_hash: (web.template_path.parent / asset["source"]["path"]).resolve()
        for asset_hash, asset in manifest["files"].items()
        if f"/opt/snapstream/releases/{asset_hash}.zip" in _user_data(web.template)
    }
    assert len(bundles) == 2
    for path in bundles.values():
        assert path.is_dir() and path.is_relative_to(cloud_assembly.resolve())
        assert not list(path.rglob("__pycache__")) and not list(path.rglob("*.pyc"))
    [site] = [p for p in bundles.values() if (p / "snapstream_web").is_dir()]
    for name in ("requirements-site.txt", "deploy/install.sh", "deploy/snapstream-web.service"):
        assert (site / name).is_file(), name
    [runtime] = [p for p in bundles.values() if (p / "snapstream_runtime").is_dir()]
    # The very object the Lambda functions run.
    runtime_key = f"{runtime.name.removeprefix('asset.')}.zip"
    functions = resources_of_type(templates["dev", "Pipeline"], "AWS::Lambda::Function")
    assert any(f["Properties"]["Code"]["S3Key"] == runtime_key for f in functions.values())
    host = _statements(web.template, "HostingHostPolicy")
    [fetch] = [s for s in host if _actions(s) == ["s3:GetObject"]]
    assert sorted(_text(r).rsplit("/", 1)[1] for r in fetch["Resource"]) == sorted(
        f"{h}.zip" for h in bundles
    )


# -- load balancer and WAF -------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVS)
def test_load_balancer_drops_invalid_headers_and_logs_access(
    templates: Templates, env: str
) -> None:
    web = _web(templates, env)
    props = only_resource(web, "AWS::ElasticLoadBalancingV2::LoadBalancer")["Properties"]
    assert props["Scheme"] == "internal"
    subnets = {_text(subnet) for subnet in props["Subnets"]}
    assert subnets and all(subnet.startswith("<HostingVpcPrivateSubnet") for subnet in subnets)
    attributes = {a["Key"]: a["Value"] for a in props["LoadBalancerAttributes"]}
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["access_logs.s3.enabled"] == "true"
    assert attributes["access_logs.s3.prefix"] == "alb"
    bucket = _text(attributes["access_logs.s3.bucket"])
    assert bucket.startswith(f"<SnapStream-{env}-Data:PublishOutputRefAccessLogsBucket")
    protected = attributes["deletion_protection.enabled"] == "true"
    assert protected is ENVIRONMENTS[env].retain_data
    # The (SSE-S3) access-log bucket admits ELB log delivery under alb/ only.
    _, policy = named_resource(
        templates[env, "Data"], "AWS::S3::BucketPolicy", "AccessLogsBucketPolicy"
    )
    delivery = [
        _text(s["Resource"])
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Allow" and "/alb/AWSLogs/" in _text(s["Resource"])
    ]
    assert delivery and all(d.endswith("/alb/AWSLogs/<AWS::AccountId>/*") for d in delivery)


@pytest.mark.parametrize("env", ENVS)
def test_the_load_balancer_listens_only_inside_the_vpc(templates: Templates, env: str) -> None:
    """One HTTP listener on the internal load balancer; the only way in is CloudFront (the
    no-plain-HTTP proof for every listener and origin is in test_site_edge.py)."""
    web = _web(templates, env)
    listeners = _listeners(web)
    assert set(listeners) == {80}
    assert listeners[80]["Protocol"] == "HTTP"
    [action] = listeners[80]["DefaultActions"]
    assert action["Type"] == "forward"
    assert not resources_of_type(web, "AWS::WAFv2::WebACLAssociation")


@pytest.mark.parametrize("env", ENVS)
def test_target_group_checks_the_health_path_on_the_app_port(
    templates: Templates, env: str
) -> None:
    group = only_resource(_web(templates, env), "AWS::ElasticLoadBalancingV2::TargetGroup")
    props = group["Properties"]
    assert (props["Port"], props["Protocol"]) == (contract.WEB_PORT, "HTTP")
    assert props["HealthCheckPath"] == contract.WEB_HEALTH_PATH
    assert props["Matcher"] == {"HttpCode": "200"}


@pytest.mark.parametrize("env", ENVS)
def test_instances_accept_only_the_load_balancer_on_the_app_port(
    templates: Templates, env: str
) -> None:
    web = _web(templates, env)
    alb_id, alb_group = named_resource(
        web, "AWS::EC2::SecurityGroup", "HostingLoadBalancerSecurityGroup"
    )
    instance_id, instance_group = named_resource(
        web, "AWS::EC2::SecurityGroup", "HostingInstanceSecurityGroup"
    )
    assert "SecurityGroupIngress" not in instance_group["Properties"]
    ingress = [
        r["Properties"]
        for r in resources_of_type(web, "AWS::EC2::SecurityGroupIngress").values()
        if r["Properties"]["GroupId"] == {"Fn::GetAtt": [instance_id, "GroupId"]}
    ]
    assert ingress == [
        {
            "Description": "Load balancer to target",
            "FromPort": contract.WEB_PORT,
            "ToPort": contract.WEB_PORT,
            "GroupId": {"Fn::GetAtt": [instance_id, "GroupId"]},
            "IpProtocol": "tcp",
            "SourceSecurityGroupId": {"Fn::GetAtt": [alb_id, "GroupId"]},
        }
    ]
    [egress] = instance_group["Properties"]["SecurityGroupEgress"]
    assert (egress["CidrIp"], egress["FromPort"], egress["ToPort"]) == ("0.0.0.0/0", 443, 443)
    # Nothing inline: the one way in is CloudFront's VPC-origin group (test_site_edge.py).
    assert "SecurityGroupIngress" not in alb_group["Properties"]
    for group in resources_of_type(web, "AWS::EC2::SecurityGroup").values():
        for rule in group["Properties"].get("SecurityGroupIngress", []):
            assert rule["FromPort"] != 22


# -- IAM -------------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVS)
def test_instance_role_holds_only_its_managed_policies_and_no_wildcard_action(
    templates: Templates, env: str
) -> None:
    web = _web(templates, env)
    _, role = named_resource(web, "AWS::IAM::Role", "HostingInstanceRole")
    props = role["Properties"]
    assert props["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
        }
    ]
    assert "Policies" not in props
    assert resources_of_type(web, "AWS::IAM::Policy") == {}
    attached = {ref["Ref"] for ref in props["ManagedPolicyArns"]}
    assert {re.sub(r"[0-9A-F]{8}$", "", a) for a in attached} == {
        "HostingHostPolicy",
        "UploadIssuerPolicy",
        "SitePolicy",
    }
    unscoped = set()
    for policy_id in attached:
        for statement in web["Resources"][policy_id]["Properties"]["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            for action in _actions(statement):
                assert "*" not in action, action
            if statement["Resource"] == "*":
                unscoped.update(_actions(statement))
    assert unscoped == {
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
        "sns:Unsubscribe",
    }


@pytest.mark.parametrize("env", ENVS)
def test_site_policy_grants_exactly_what_the_site_does(templates: Templates, env: str) -> None:
    statements = {
        ",".join(sorted(_actions(s))) + "@" + _text(s["Resource"]): s
        for s in _statements(_web(templates, env), "SitePolicy")
    }
    data = f"<SnapStream-{env}-Data:PublishOutput"
    table = f"{data}FnGetAttMediaTable1D549DC8Arn28AA4613>"
    uploads = f"<import:SnapStream-{env}-Data-UploadsBucketArn>"
    media = f"<import:SnapStream-{env}-Data-MediaBucketArn>"
    assert set(statements) == {
        "dynamodb:BatchGetItem,dynamodb:BatchWriteItem,dynamodb:ConditionCheckItem,"
        "dynamodb:DeleteItem,"
        f"dynamodb:GetItem,dynamodb:PutItem,dynamodb:Query,dynamodb:UpdateItem@{table}",
        "dynamodb:Query@" + "".join(f"{table}/index/gsi{n}" for n in (1, 2, 4, 5, 6, 7, 8)),
        f"s3:GetObject,s3:GetObjectVersion@{media}/media/*{uploads}/uploads/*",
        f"kms:Decrypt,kms:GenerateDataKey@{data}FnGetAttDataKey2A0DE9E6Arn82C1B6CD>",
        f"sqs:SendMessage@<SnapStream-{env}-Pipeline:PublishOutput"
        "FnGetAttDeletionQueue5D0F6281Arn75A62F31>",
        f"sns:Subscribe@{data}RefNotificationsTopic1188823094A4FF54>",
        "sns:Unsubscribe@*",
        # e-mail: this identity and configuration set only (tests/infra/test_mail.py)
        "ses:SendEmail@arn:aws:ses:us-east-1:<AWS::AccountId>:configuration-set/"
        "<MailConfigurationSet2AA84368>arn:aws:ses:us-east-1:<AWS::AccountId>:identity/"
        "<MailIdentity4EC7C521>",
        "secretsmanager:GetSecretValue@"
        f"{data}RefPlaybackKeyPrivateKey21660139E635AC1C><SessionKeyG160D19B8C>",
    }
    # Deleting is the deletion function's: the internet-facing role deletes no object, lists no
    # bucket and touches no VOD asset (docs/website.md, "Deleting").
    actions = {action for statement in statements.values() for action in _actions(statement)}
    assert not {a for a in actions if a.startswith("s3:") and ("Delete" in a or "List" in a)}
    assert not {a for a in actions if a.startswith("mediapackage")}
    assert statements[f"sns:Subscribe@{data}RefNotificationsTopic1188823094A4FF54>"][
        "Condition"
    ] == {"StringEquals": {"sns:Protocol": "email"}}


@pytest.mark.parametrize("env", ENVS)
def test_host_policy_fetches_bundles_signals_and_registers_with_session_manager(
    templates: Templates, env: str
) -> None:
    statements = {
        ",".join(sorted(_actions(s))): _text(s["Resource"])
        for s in _statements(_web(templates, env), "HostingHostPolicy")
    }
    assert set(statements) == {
        "s3:GetObject",
        "cloudformation:SignalResource",
        "ssm:UpdateInstanceInformation",
        "ssmmessages:CreateControlChannel,ssmmessages:CreateDataChannel,"
        "ssmmessages:OpenControlChannel,ssmmessages:OpenDataChannel",
    }
    assert statements["cloudformation:SignalResource"] == "<AWS::StackId>"
    assert statements["ssm:UpdateInstanceInformation"].endswith(":instance/*")


@pytest.mark.parametrize("env", ENVS)
def test_session_key_is_generated_and_encrypted_with_the_data_key(
    templates: Templates, env: str
) -> None:
    secret = only_resource(_web(templates, env), "AWS::SecretsManager::Secret")
    props = secret["Properties"]
    assert props["GenerateSecretString"] == {
        "ExcludePunctuation": True,
        "IncludeSpace": False,
        "PasswordLength": 64,
    }
    assert _text(props["KmsKeyId"]) == (
        f"<SnapStream-{env}-Data:PublishOutputFnGetAttDataKey2A0DE9E6Arn82C1B6CD>"
    )
    rules = {r["id"] for r in secret["Metadata"]["cdk_nag"]["rules_to_suppress"]}
    assert "AwsSolutions::AwsSolutions-SMG4" in rules
