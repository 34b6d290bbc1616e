"""The site's e-mail through Amazon SES (address verification, password reset).

- **Identity**: ``mail_from`` (SES e-mails that address a link to click once deployed), or with
  ``mail_domain`` the domain, verified by Easy DKIM (three CNAME records, stack outputs).
- **Configuration set**: every message of the site goes through it (the site names it in each
  request, and it is the identity's default). TLS required to the receiving server; SES's
  suppression list on for bounces and complaints; reputation metrics on.
- **Bounces and complaints**: the configuration set publishes them to an SNS topic encrypted
  with the data key; the mail-events function marks each such address undeliverable on its
  e-mail claim (:mod:`snapstream_runtime.mail_events`), and the site sends nothing more there.
- **Authority**: the site may ``ses:SendEmail`` on this identity and this configuration set
  only, from ``mail_from`` only (``ses:FromAddress``). The function may update ``EMAIL#`` items
  only.

A new AWS account sends in the SES sandbox (verified recipients only, 200 a day) until
production access is granted for the account and Region (docs/deployment.md, "E-mail").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from snapstream_constructs import (
    PipelineFunction,
    SecureTopic,
    dead_letter_queue,
    delivery_dead_letter_queue,
)
from snapstream_runtime import keys
from stacks.lambda_assets import dependencies_layer, runtime_code
from stacks.runtime_contract import contract

if TYPE_CHECKING:
    from stacks.config import EnvironmentConfig
    from stacks.data_stack import DataStack

SERVICE = "mail-events"
#: the item family the mail-events function writes: e-mail claims (``EMAIL#<address>``)
EMAIL_CLAIMS = keys.email_key("*")["pk"]


class SiteMail(Construct):
    """The SES identity and configuration set of one environment, and its bounce handling."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, data: DataStack
    ) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
            reputation_metrics=True,
            sending_enabled=True,
        )
        self.identity = ses.EmailIdentity(
            self,
            "Identity",
            identity=ses.Identity.domain(config.mail_domain)
            if config.mail_domain
            else ses.Identity.email(config.mail_from),
            configuration_set=self.configuration_set,
        )
        self.events_topic = SecureTopic(
            self,
            "EventsTopic",
            encryption_key=data.data_key.key,
            display_name=f"SnapStream {config.name} e-mail bounces and complaints",
        ).topic
        # CDK adds the topic policy: ses.amazonaws.com, this account, this configuration set.
        self.configuration_set.add_event_destination(
            "BouncesAndComplaints",
            destination=ses.EventDestination.sns_topic(self.events_topic),
            events=[ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
        )
        self.events_function = self._events_function(config, data)
        if config.mail_domain:
            for number, record in enumerate(self.identity.dkim_records, start=1):
                cdk.CfnOutput(
                    self,
                    f"DkimRecord{number}",
                    description=f"Publish in {config.mail_domain}'s DNS: CNAME name -> value",
                    value=cdk.Fn.join(" CNAME ", [record.name, record.value]),
                )

    @property
    def configuration_set_arn(self) -> str:
        return cdk.Stack.of(self).format_arn(
            service="ses",
            resource="configuration-set",
            resource_name=self.configuration_set.configuration_set_name,
        )

    def site_settings(self) -> dict[str, str]:
        """The site's environment variables for sending mail."""
        return {
            contract.ENV_MAIL_FROM: self.config.mail_from,
            contract.ENV_MAIL_CONFIGURATION_SET: self.configuration_set.configuration_set_name,
            contract.ENV_EMAIL_VERIFICATION_TTL: str(self.config.email_verification_hours * 3600),
            contract.ENV_PASSWORD_RESET_TTL: str(self.config.password_reset_minutes * 60),
        }

    def send_statement(self) -> iam.PolicyStatement:
        """Send as ``mail_from`` through this identity and configuration set, and nothing else."""
        return iam.PolicyStatement(
            actions=["ses:SendEmail"],
            resources=[self.identity.email_identity_arn, self.configuration_set_arn],
            conditions={"StringEquals": {"ses:FromAddress": self.config.mail_from}},
        )

    def _events_function(self, config: EnvironmentConfig, data: DataStack) -> PipelineFunction:
        key = data.data_key.key
        function = PipelineFunction(
            self,
            "Events",
            description="Marks addresses that bounced for good or complained as undeliverable",
            handler=contract.MAIL_EVENTS_HANDLER,
            code=runtime_code(),
            layers=[dependencies_layer(self)],
            environment={
                contract.ENV_ENVIRONMENT: config.name,
                contract.ENV_TABLE: data.table.table_name,
                "POWERTOOLS_SERVICE_NAME": SERVICE,
                "POWERTOOLS_LOG_LEVEL": "INFO",
            },
            encryption_key=key,
            log_retention=config.log_retention,
            reserved_concurrency=1,
            invoked_by="SNS",
            async_dead_letter_queue=dead_letter_queue(self, "EventsFailures", encryption_key=key),
            tracing=data.function_tracing,
        )
        function.allow(
            actions=["dynamodb:UpdateItem"],
            resources=[data.table.table_arn],
            conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [EMAIL_CLAIMS]}},
        )
        function.allow(actions=["kms:Decrypt"], resources=[key.key_arn])  # the table's key
        self.events_topic.add_subscription(
            subscriptions.LambdaSubscription(
                function.function,
                dead_letter_queue=delivery_dead_letter_queue(
                    self, "EventsDeliveryFailures", named_in="the SNS subscription"
                ),
            )
        )
        return function
