"""The alarms of the operations view, written as plain ``AWS::CloudWatch::Alarm`` resources.

Each alarm is named ``<prefix>-<name>-<what>``, fires at or above its threshold for the
configured number of 5-minute periods, and publishes to the operations topic(s) on ALARM and on
OK. The dashboard's sections (:mod:`snapstream_constructs.monitoring_sections`) decide what is
alarmed; :class:`AlarmWriter` writes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from snapstream_constructs.metric_queries import Query, alarm_queries

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9-]+")


class AlarmWriter:
    """Writes alarms as children of ``scope`` and keeps them (:attr:`alarms`) and their ARNs
    (:attr:`arns`, in the order written: the dashboard's alarm status widget lists them)."""

    def __init__(
        self,
        scope: Construct,
        *,
        name_prefix: str,
        actions: Sequence[str],
        evaluation_periods: int,
    ) -> None:
        self._scope = scope
        self._prefix = name_prefix
        self._actions = list(actions)
        self._evaluation_periods = evaluation_periods
        self._arn_prefix = (
            f"arn:{cdk.Aws.PARTITION}:cloudwatch:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:alarm:"
        )
        self.alarms: list[cloudwatch.CfnAlarm] = []
        self.arns: list[str] = []

    def alarm(
        self,
        name: str,
        what: str,
        query: Query,
        *,
        threshold: float,
        description: str,
        missing_data: str = "notBreaching",
    ) -> None:
        """Alarm when ``query`` reaches ``threshold``: ``<prefix>-<name>-<what>``, construct id
        ``<name><What>`` (anything but letters, digits and ``-`` dropped from both)."""
        alarm_name = _UNSAFE_NAME.sub("-", f"{self._prefix}-{name}-{what}")
        alarm = cloudwatch.CfnAlarm(
            self._scope,
            _UNSAFE_NAME.sub("", f"{name}{what.title()}"),
            alarm_name=alarm_name,
            alarm_description=description,
            metrics=alarm_queries(query),
            threshold=threshold,
            evaluation_periods=self._evaluation_periods,
            comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data=missing_data,
            alarm_actions=self._actions,
            ok_actions=self._actions,
        )
        self.alarms.append(alarm)
        self.arns.append(self._arn_prefix + alarm_name)
