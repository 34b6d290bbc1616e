"""The website's hosting tier: an internal ALB (CloudFront's private origin) and an Auto Scaling
group of Amazon Linux 2023 (arm64) instances that install the site at boot, in a VPC."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from snapstream_constructs.compliance import Pack, acknowledge, resource_finding
from snapstream_constructs.site_network import SiteVpc, encrypted_root_volume, site_vpc

#: Where the bundles are unpacked and the installer's own copy lives on the instance.
RELEASES_DIR = "/opt/snapstream/releases"
#: Session Manager's agent channels: these actions have no resource-level permissions.
SESSION_MANAGER_CHANNEL_ACTIONS = (
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)
#: The internal load balancer's listener port (the CloudFront VPC origin's HTTP port).
ORIGIN_PORT = 80
_SETTING_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


class WebHosting(Construct):
    """A web application on EC2 behind an internal ALB, hardened by default.

    - VPC over two AZs: public subnets (NAT only; no automatic public IPs) and private subnets
      with egress (load balancer, instances), S3 and DynamoDB gateway endpoints, flow logs, and
      the default security group stripped of its rules. NAT is ``nat_gateways`` managed NAT
      gateways, or as many NAT instances of ``nat_instance_type`` when it is given (cheaper; each
      a single point of failure and a bandwidth ceiling): IMDSv2 only, encrypted gp3 root
      volume, detailed monitoring, standard CPU credits, no key pair, HTTPS in from the VPC only.
      Or an existing ``vpc``: the load balancer and instances then go in its private subnets
      with egress, and its NAT, flow logs and endpoints stay its owner's.
    - ALB: internal, in the private subnets, so nothing on the internet can reach it; one HTTP
      listener on port 80 whose security group admits nothing until :meth:`admit_origin` names
      the source (CloudFront's VPC-origin security group: see :class:`SiteDistribution`, which
      serves the site over HTTPS and carries the WAF); invalid header fields dropped, access
      logs into ``access_logs`` (an SSE-S3 bucket: ALB log delivery cannot write SSE-KMS),
      optional deletion protection.
    - Instances: a launch template (IMDSv2 only, encrypted gp3 root volume, no key pair,
      detailed monitoring) in an Auto Scaling group with ELB health checks and rolling updates
      that wait for each new instance's CloudFormation signal, so a broken release rolls back.

    At boot each instance downloads ``site_bundle`` and ``extra_bundles`` (zip assets) and runs
    ``installer`` (a path inside ``site_bundle``) as root with ``--bundle <zip>`` per bundle,
    ``--port``, ``--health-path``, ``--wsgi-app``, ``--workers`` (a number or ``auto``), then
    ``--`` and ``NAME=VALUE`` per entry of ``settings``; the installer must exit 0 only once the
    application answers ``health_check_path`` locally. The exit status is signalled.

    The stack needs a concrete Region (ELB access logging names the Region's log-delivery
    principal): an environment-agnostic stack is refused. The load balancer is meant to be
    reached only through a :class:`SiteDistribution`, which carries the WAF web ACL and
    acknowledges NIST ALBWAFEnabled on it. A ``volume_encryption_key``'s policy must let the
    Auto Scaling service-linked role use it (default: the account's ``aws/ebs`` key).

    :attr:`role` is the instance role: it may fetch the bundles, signal its stack and register
    with Session Manager, nothing else; attach what the application needs with
    ``add_managed_policy`` (customer-managed policies; it never gets an inline policy).

    Args:
        site_bundle: A zip asset holding the application and its ``installer``.
        settings: ``NAME=VALUE`` settings passed to the installer (names like environment variables,
            values without quotes or line breaks; no secrets: they sit in user data).
        app_port: The port the application listens on (the target group's port).
        health_check_path: The path the load balancer checks; healthy answers HTTP 200.
        wsgi_app: The WSGI application, ``module:attribute``, passed to the installer.
        access_logs: The bucket the load balancer's access logs go to: SSE-S3 (ALB log delivery
            cannot write SSE-KMS), e.g. an :class:`AccessLogBucket`'s ``bucket``.
        access_log_prefix: Key prefix of the access logs (a trailing ``/`` is dropped).
        log_encryption_key: The KMS key of the log groups (VPC flow logs); it must admit CloudWatch
            Logs.
        log_retention: How long those logs are kept.
        instance_type: The instances' type: an arm64 (Graviton) type, for the Amazon Linux 2023
            arm64 image.
        min_capacity: Fewest instances, at least 1.
        max_capacity: Most instances; CPU target tracking at 60% scales between the two.
        nat_gateways: Managed NAT gateways of the VPC the construct creates (``nat_instance_type``
            replaces them with instances); required unless ``vpc`` is given, refused with it.
        nat_instance_type: NAT instances of this type instead of NAT gateways (cheaper; each a
            single point of failure and a bandwidth ceiling); refused with ``vpc``.
        deletion_protection: Deletion protection on the load balancer.
        extra_bundles: More zip assets fetched beside ``site_bundle``, each passed to the installer
            as ``--bundle``.
        installer: The installer's path inside ``site_bundle``; default ``deploy/install.sh``.
        workers: Application worker processes; default ``auto`` (the installer decides).
        volume_size_gib: Root volume size of each instance in GiB; default 16.
        volume_encryption_key: The KMS key of the root volumes (its policy must let the Auto Scaling
            service-linked role use it); default the account's ``aws/ebs`` key.
        health_check_grace: How long a new instance may fail health checks; default 5 minutes.
        release_timeout: How long a new instance may take to signal a successful install; default 15
            minutes.
        vpc: An existing VPC (``ec2.Vpc.from_lookup``, ``from_vpc_attributes``, or one of your
            stacks) instead of a new one: it needs private subnets with egress in at least two
            Availability Zones; default a VPC of the construct's own.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        site_bundle: s3_assets.Asset,
        settings: Mapping[str, str],
        app_port: int,
        health_check_path: str,
        wsgi_app: str,
        access_logs: s3.IBucket,
        access_log_prefix: str,
        log_encryption_key: kms.IKey,
        log_retention: logs.RetentionDays,
        instance_type: ec2.InstanceType,
        min_capacity: int,
        max_capacity: int,
        nat_gateways: int | None = None,
        nat_instance_type: ec2.InstanceType | None = None,
        deletion_protection: bool,
        extra_bundles: Sequence[s3_assets.Asset] = (),
        installer: str = "deploy/install.sh",
        workers: int | None = None,
        volume_size_gib: int = 16,
        volume_encryption_key: kms.IKey | None = None,
        health_check_grace: cdk.Duration | None = None,
        release_timeout: cdk.Duration | None = None,
        vpc: ec2.IVpc | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if not 1 <= min_capacity <= max_capacity:
            raise ValueError("need 1 <= min_capacity <= max_capacity")
        if cdk.Token.is_unresolved(cdk.Stack.of(self).region):
            raise ValueError(
                "WebHosting needs a stack with a concrete Region "
                "(env=cdk.Environment(region=...)): ELB access logging names that Region's "
                "log-delivery principal"
            )
        if vpc is not None and (nat_gateways is not None or nat_instance_type is not None):
            raise ValueError(
                "nat_gateways and nat_instance_type shape the VPC WebHosting creates; "
                "with an existing vpc, its NAT is its owner's: leave them out"
            )
        if vpc is None and nat_gateways is None:
            raise ValueError("nat_gateways is required unless an existing vpc is given")
        bundles = [site_bundle, *extra_bundles]
        self.log_encryption_key = log_encryption_key
        self.log_retention = log_retention
        self.owns_vpc = vpc is None  # False: an existing VPC was given
        network = (
            SiteVpc(vpc)
            if vpc
            else site_vpc(
                self,
                nat_gateways=nat_gateways or 0,
                nat_instance_type=nat_instance_type,
                volume_encryption_key=volume_encryption_key,
                flow_logs=self._log_group("FlowLogs"),
            )
        )
        self.vpc, self.nat_instances = network.vpc, network.nat_instances
        self.role = self._instance_role(bundles)
        self.load_balancer_security_group = ec2.SecurityGroup(
            self,
            "LoadBalancerSecurityGroup",
            vpc=self.vpc,
            description="Site load balancer (internal): HTTP from the CloudFront VPC origin; "
            "to the instances only",
            allow_all_outbound=False,
        )
        self.instance_security_group = ec2.SecurityGroup(
            self,
            "InstanceSecurityGroup",
            vpc=self.vpc,
            description="Site instances: the app port from the load balancer only; HTTPS out",
            allow_all_outbound=False,
        )
        self.instance_security_group.add_egress_rule(
            ec2.Peer.any_ipv4(),
            ec2.Port.tcp(443),
            "HTTPS to AWS APIs, the OS and Python package repositories",
        )

        self.user_data = ec2.UserData.for_linux()
        self.launch_template = ec2.LaunchTemplate(
            self,
            "LaunchTemplate",
            machine_image=ec2.MachineImage.latest_amazon_linux2023(
                cpu_type=ec2.AmazonLinuxCpuType.ARM_64
            ),
            instance_type=instance_type,
            # Immutable: CDK's automatic grants (the signal permission) would add an inline
            # policy; the host policy holds every permission instead.
            role=self.role.without_policy_updates(),
            security_group=self.instance_security_group,
            require_imdsv2=True,
            http_put_response_hop_limit=1,
            detailed_monitoring=True,
            ebs_optimized=True,
            block_devices=[encrypted_root_volume(volume_size_gib, volume_encryption_key)],
            user_data=self.user_data,
        )
        release_timeout = release_timeout or cdk.Duration.minutes(15)
        self.auto_scaling_group = autoscaling.AutoScalingGroup(
            self,
            "Instances",
            vpc=self.vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            launch_template=self.launch_template,
            min_capacity=min_capacity,
            max_capacity=max_capacity,
            health_checks=autoscaling.HealthChecks.with_additional_checks(
                additional_types=[autoscaling.AdditionalHealthCheckType.ELB],
                grace_period=health_check_grace or cdk.Duration.minutes(5),
            ),
            cooldown=cdk.Duration.minutes(5),
            group_metrics=[autoscaling.GroupMetrics.all()],
            signals=autoscaling.Signals.wait_for_min_capacity(timeout=release_timeout),
            update_policy=autoscaling.UpdatePolicy.rolling_update(
                max_batch_size=1,
                # one at a time, keeping capacity up (CloudFormation needs it below the maximum)
                min_instances_in_service=min(min_capacity, max_capacity - 1),
                wait_on_resource_signals=True,
                pause_time=release_timeout,
            ),
        )
        self.auto_scaling_group.scale_on_cpu_utilization("CpuTarget", target_utilization_percent=60)
        self._install(
            bundles,
            installer=installer,
            settings=settings,
            app_port=app_port,
            health_check_path=health_check_path,
            wsgi_app=wsgi_app,
            workers=workers,
        )

        self.load_balancer = self._load_balancer(
            access_logs=access_logs,
            access_log_prefix=access_log_prefix,
            deletion_protection=deletion_protection,
        )
        self.target_group = elbv2.ApplicationTargetGroup(
            self,
            "Site",
            vpc=self.vpc,
            port=app_port,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.INSTANCE,
            targets=[self.auto_scaling_group],
            deregistration_delay=cdk.Duration.seconds(30),
            health_check=elbv2.HealthCheck(
                path=health_check_path,
                healthy_http_codes="200",
                interval=cdk.Duration.seconds(15),
                timeout=cdk.Duration.seconds(5),
                healthy_threshold_count=2,
                unhealthy_threshold_count=3,
            ),
        )
        self._listener()
        self._acknowledge(deletion_protection=deletion_protection)

    def _log_group(self, construct_id: str, *, name: str | None = None) -> logs.LogGroup:
        return logs.LogGroup(
            self,
            construct_id,
            log_group_name=name,
            retention=self.log_retention,
            encryption_key=self.log_encryption_key,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )

    # -- instances ---------------------------------------------------------------------------

    def _instance_role(self, bundles: Sequence[s3_assets.Asset]) -> iam.Role:
        stack = cdk.Stack.of(self)
        self.instances_arn = stack.format_arn(service="ec2", resource="instance", resource_name="*")
        self.host_policy = iam.ManagedPolicy(
            self,
            "HostPolicy",
            description="Site instances: fetch this release's bundles, signal CloudFormation, "
            "Session Manager",
            statements=[
                iam.PolicyStatement(
                    actions=["s3:GetObject"],
                    resources=[b.bucket.arn_for_objects(b.s3_object_key) for b in bundles],
                ),
                iam.PolicyStatement(
                    actions=["cloudformation:SignalResource"], resources=[stack.stack_id]
                ),
                iam.PolicyStatement(
                    actions=["ssm:UpdateInstanceInformation"], resources=[self.instances_arn]
                ),
                iam.PolicyStatement(actions=list(SESSION_MANAGER_CHANNEL_ACTIONS), resources=["*"]),
            ],
        )
        return iam.Role(
            self,
            "InstanceRole",
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            description="Site instances (Auto Scaling group behind the load balancer)",
            managed_policies=[self.host_policy],
        )

    def _install(
        self,
        bundles: Sequence[s3_assets.Asset],
        *,
        installer: str,
        settings: Mapping[str, str],
        app_port: int,
        health_check_path: str,
        wsgi_app: str,
        workers: int | None,
    ) -> None:
        """User data: fetch the bundles, run the installer, signal its exit status."""
        for name, value in settings.items():
            if not _SETTING_NAME.match(name):
                raise ValueError(f"setting name {name!r} is not an environment variable name")
            if not cdk.Token.is_unresolved(value) and re.search(r"['\n\r]", value):
                raise ValueError(f"setting {name} holds a quote or a line break")
        user_data = self.user_data
        user_data.add_signal_on_exit_command(self.auto_scaling_group)
        user_data.add_commands(
            "set -euo pipefail",
            # cfn-signal first, so that any later failure is still reported.
            "dnf install -y aws-cfn-bootstrap",
            "dnf install -y python3.12 python3.12-pip unzip",
        )
        zips = [
            user_data.add_s3_download_command(
                bucket=bundle.bucket,
                bucket_key=bundle.s3_object_key,
                local_file=f"{RELEASES_DIR}/{bundle.asset_hash}.zip",
                region=cdk.Aws.REGION,
            )
            for bundle in bundles
        ]
        unpacked = f"{RELEASES_DIR}/installer"
        arguments = [
            *(f"--bundle '{path}'" for path in zips),
            f"--port {app_port}",
            f"--health-path '{health_check_path}'",
            f"--wsgi-app '{wsgi_app}'",
            f"--workers {workers if workers is not None else 'auto'}",
            "--",
            *(f"'{name}={value}'" for name, value in settings.items()),
        ]
        user_data.add_commands(
            f"rm -rf '{unpacked}' && unzip -q '{zips[0]}' '{installer}' -d '{unpacked}'",
            f"bash '{unpacked}/{installer}' " + " ".join(arguments),
        )

    # -- load balancer and WAF ---------------------------------------------------------------

    def _load_balancer(
        self, *, access_logs: s3.IBucket, access_log_prefix: str, deletion_protection: bool
    ) -> elbv2.ApplicationLoadBalancer:
        load_balancer = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            vpc=self.vpc,
            internet_facing=False,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            security_group=self.load_balancer_security_group,
            drop_invalid_header_fields=True,
            deletion_protection=deletion_protection,
            desync_mitigation_mode=elbv2.DesyncMitigationMode.DEFENSIVE,
        )
        # The prefix must not end with "/": ELB adds "/AWSLogs/<account>/...".
        load_balancer.log_access_logs(access_logs, access_log_prefix.rstrip("/"))
        return load_balancer

    def admit_origin(self, construct_id: str, *, source_security_group_id: str) -> None:
        """Let ``source_security_group_id`` reach the listener: a separate ingress resource, so
        the source may be a value that depends on the load balancer (CloudFront's VPC-origin
        group exists only once a VPC origin for this load balancer does)."""
        ec2.CfnSecurityGroupIngress(
            self,
            construct_id,
            group_id=self.load_balancer_security_group.security_group_id,
            ip_protocol="tcp",
            from_port=ORIGIN_PORT,
            to_port=ORIGIN_PORT,
            source_security_group_id=source_security_group_id,
            description="HTTP from CloudFront's VPC-origin network interfaces only",
        )

    def _listener(self) -> None:
        """One HTTP listener on the internal load balancer; its group admits no one yet."""
        self.listener = self.load_balancer.add_listener(
            "Http",
            port=ORIGIN_PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            default_target_groups=[self.target_group],
            open=False,
        )
        private_origin = (
            "This listener is the private origin of the site's CloudFront distribution (a "
            "CloudFront VPC origin): the load balancer is internal, in private subnets, and its "
            "security group admits port 80 from CloudFront's VPC-origin group only. Viewers "
            "reach the site over HTTPS at CloudFront, which redirects HTTP; an ACM certificate "
            "here would need a domain, and CloudFront validates origin certificates against one."
        )
        for rule in ("ALBHttpToHttpsRedirection", "ELBv2ACMCertificateRequired"):
            acknowledge(self.listener, pack=Pack.NIST_800_53_R5, rule=rule, reason=private_origin)

    # -- acknowledgments ---------------------------------------------------------------------

    def _acknowledge(self, *, deletion_protection: bool) -> None:
        acknowledge(
            self.auto_scaling_group,
            pack=Pack.AWS_SOLUTIONS,
            rule="AS3",
            reason="Auto Scaling reports every launch, termination and failure to EventBridge "
            "(aws.autoscaling events) and the group's activity history without configuration, "
            "and group metrics are on; SNS notifications would need the Auto Scaling "
            "service-linked role in the key policy of the KMS key that encrypts every topic.",
        )
        if not deletion_protection:
            acknowledge(
                self.load_balancer,
                pack=Pack.NIST_800_53_R5,
                rule="ELBDeletionProtectionEnabled",
                reason="The load balancer holds no data and is recreated by a deployment; deletion "
                "protection is on where the environment retains its data (prod), and off here so "
                "that the environment can be destroyed in one step.",
            )
        acknowledge(
            self.host_policy,
            pack=Pack.AWS_SOLUTIONS,
            rule="IAM5",
            findings=["Resource::*", resource_finding(self, self.instances_arn)],
            reason="Session Manager's channel actions (ssmmessages:CreateControlChannel, "
            "CreateDataChannel, OpenControlChannel, OpenDataChannel) have no resource-level "
            "permissions; ssm:UpdateInstanceInformation names instances, whose ids the Auto "
            "Scaling group assigns at launch, so it admits this account's instances in this "
            "Region.",
        )
