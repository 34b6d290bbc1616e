"""The prices the cost model uses: AWS public on-demand list prices, us-east-1, in USD.

Not fetched: the machines this project runs on reach no AWS pricing endpoint, so these are the
published list prices as known on :data:`PRICES_AS_OF` (the author's knowledge of the pricing
pages, not a live download). Free tiers and volume discounts are left out on purpose: the model
shows what one more environment or one more upload costs at the first paid tier. Check the
source page before quoting a figure, and update the price and the date together.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

#: When these prices were taken from the pages below (see the module docstring).
PRICES_AS_OF = "2025-01"
REGION = "us-east-1"
HOURS_PER_MONTH = 730
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600


@dataclass(frozen=True)
class Price:
    usd: float
    unit: str
    source: str


_EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/"
_VPC = "https://aws.amazon.com/vpc/pricing/"
_CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/"
_S3 = "https://aws.amazon.com/s3/pricing/"
_LAMBDA = "https://aws.amazon.com/lambda/pricing/"
_DYNAMODB = "https://aws.amazon.com/dynamodb/pricing/on-demand/"
_REKOGNITION = "https://aws.amazon.com/rekognition/pricing/"
_MEDIACONVERT = "https://aws.amazon.com/mediaconvert/pricing/"

#: Linux on-demand hourly price per instance type (Graviton types: the site only runs those).
INSTANCE_HOURLY: MappingProxyType[str, float] = MappingProxyType(
    {
        "t4g.nano": 0.0042,
        "t4g.micro": 0.0084,
        "t4g.small": 0.0168,
        "t4g.medium": 0.0336,
        "t4g.large": 0.0672,
        "t4g.xlarge": 0.1344,
        "t4g.2xlarge": 0.2688,
        "m7g.medium": 0.0408,
        "m7g.large": 0.0816,
        "m7g.xlarge": 0.1632,
        "c7g.medium": 0.0363,
        "c7g.large": 0.0725,
        "c7g.xlarge": 0.145,
        "r7g.medium": 0.0536,
        "r7g.large": 0.1071,
        "m6g.medium": 0.0385,
        "m6g.large": 0.077,
        "c6g.medium": 0.034,
        "c6g.large": 0.068,
    }
)

PRICES: MappingProxyType[str, Price] = MappingProxyType(
    {
        # network
        "nat_gateway_hour": Price(0.045, "NAT gateway-hour", _VPC),
        "nat_gateway_gb": Price(0.045, "GB processed by a NAT gateway", _VPC),
        "public_ipv4_hour": Price(0.005, "public IPv4 address-hour", _VPC),
        "interface_endpoint_hour": Price(0.01, "interface endpoint-hour per AZ", _VPC),
        "alb_hour": Price(
            0.0225, "ALB-hour", "https://aws.amazon.com/elasticloadbalancing/pricing/"
        ),
        "alb_lcu_hour": Price(
            0.008, "LCU-hour", "https://aws.amazon.com/elasticloadbalancing/pricing/"
        ),
        "waf_web_acl_month": Price(5.00, "web ACL-month", "https://aws.amazon.com/waf/pricing/"),
        "waf_rule_month": Price(1.00, "rule-month", "https://aws.amazon.com/waf/pricing/"),
        # compute and storage of the web tier
        "ebs_gp3_gb_month": Price(0.08, "GB-month (gp3)", "https://aws.amazon.com/ebs/pricing/"),
        # keys, secrets, monitoring
        "kms_key_month": Price(
            1.00, "customer managed key-month", "https://aws.amazon.com/kms/pricing/"
        ),
        "secret_month": Price(
            0.40, "secret-month", "https://aws.amazon.com/secrets-manager/pricing/"
        ),
        "alarm_metric_month": Price(0.10, "standard-resolution alarm metric-month", _CLOUDWATCH),
        "alarm_high_resolution_metric_month": Price(
            0.30, "high-resolution alarm metric-month", _CLOUDWATCH
        ),
        "composite_alarm_month": Price(0.50, "composite alarm-month", _CLOUDWATCH),
        "dashboard_month": Price(3.00, "dashboard-month", _CLOUDWATCH),
        "metric_month": Price(
            0.30, "metric-month (EC2 detailed monitoring: 7 per instance)", _CLOUDWATCH
        ),
        "logs_ingest_gb": Price(0.50, "GB ingested into CloudWatch Logs", _CLOUDWATCH),
        "xray_trace": Price(5.00 / 1e6, "trace recorded", "https://aws.amazon.com/xray/pricing/"),
        # S3
        "s3_gb_month": Price(0.023, "GB-month (S3 Standard)", _S3),
        "s3_put": Price(0.005 / 1000, "PUT/COPY/POST/LIST request", _S3),
        "s3_get": Price(0.0004 / 1000, "GET/HEAD request", _S3),
        # serverless
        "lambda_request": Price(0.20 / 1e6, "Lambda request", _LAMBDA),
        "lambda_gb_second_arm64": Price(0.0000133334, "GB-second (arm64)", _LAMBDA),
        "lambda_gb_second_x86_64": Price(0.0000166667, "GB-second (x86_64)", _LAMBDA),
        "dynamodb_write_unit": Price(0.625 / 1e6, "write request unit (on-demand)", _DYNAMODB),
        "dynamodb_read_unit": Price(0.125 / 1e6, "read request unit (on-demand)", _DYNAMODB),
        "dynamodb_wcu_hour": Price(
            0.00065, "provisioned WCU-hour", "https://aws.amazon.com/dynamodb/pricing/provisioned/"
        ),
        "dynamodb_rcu_hour": Price(
            0.00013, "provisioned RCU-hour", "https://aws.amazon.com/dynamodb/pricing/provisioned/"
        ),
        "sqs_request": Price(
            0.40 / 1e6, "SQS standard request", "https://aws.amazon.com/sqs/pricing/"
        ),
        "sns_publish": Price(0.50 / 1e6, "SNS publish", "https://aws.amazon.com/sns/pricing/"),
        "ses_email": Price(
            0.10 / 1000, "e-mail sent (SES outbound)", "https://aws.amazon.com/ses/pricing/"
        ),
        "eventbridge_event": Price(
            1.00 / 1e6, "custom event published", "https://aws.amazon.com/eventbridge/pricing/"
        ),
        # analysis
        "rekognition_image": Price(0.001, "image per Rekognition Image API call", _REKOGNITION),
        "rekognition_video_minute": Price(0.10, "video minute (labels or text)", _REKOGNITION),
        "rekognition_segment_minute": Price(
            0.05, "video minute per segment type (shot, technical cue)", _REKOGNITION
        ),
        "transcribe_minute": Price(
            0.024, "audio minute (batch, standard)", "https://aws.amazon.com/transcribe/pricing/"
        ),
        "comprehend_unit": Price(
            0.0001,
            "unit of 100 characters (3-unit minimum per request)",
            "https://aws.amazon.com/comprehend/pricing/",
        ),
        # video
        "mediaconvert_sd_minute": Price(0.0075, "output minute, SD, basic tier", _MEDIACONVERT),
        "mediaconvert_hd_minute": Price(0.015, "output minute, HD, basic tier", _MEDIACONVERT),
        "mediaconvert_uhd_minute": Price(0.030, "output minute, UHD, basic tier", _MEDIACONVERT),
        "mediaconvert_sd_minute_professional": Price(
            0.012, "output minute, SD, professional tier (accelerated)", _MEDIACONVERT
        ),
        "mediaconvert_hd_minute_professional": Price(
            0.024, "output minute, HD, professional tier (accelerated)", _MEDIACONVERT
        ),
        "mediaconvert_uhd_minute_professional": Price(
            0.048, "output minute, UHD, professional tier (accelerated)", _MEDIACONVERT
        ),
        "mediapackage_vod_gb": Price(
            0.05, "GB packaged (VOD)", "https://aws.amazon.com/mediapackage/pricing/"
        ),
    }
)


def price(name: str) -> Price:
    """The named price, or a clear error naming the table to extend."""
    try:
        return PRICES[name]
    except KeyError:
        raise KeyError(f"no price {name!r} in tools/cost/prices.py") from None


def instance_hourly(instance_type: str) -> Price:
    """The on-demand hourly price of ``instance_type`` (refuses a type the table lacks)."""
    if instance_type not in INSTANCE_HOURLY:
        raise KeyError(f"no price for instance type {instance_type!r}: add it to INSTANCE_HOURLY")
    return Price(INSTANCE_HOURLY[instance_type], f"{instance_type} instance-hour", _EC2)
