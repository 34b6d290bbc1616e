"""Condition operators, set operators, IfExists, Null and missing keys."""

from __future__ import annotations

from typing import Any

import pytest

from tools.authority import Unmodeled
from tools.authority.conditions import evaluate


def holds(operator: str, key: str, values: Any, **context: Any) -> bool:
    return evaluate(
        {operator: {key: values}}, {k.replace("__", ":"): v for k, v in context.items()}
    )


def test_string_operators() -> None:
    assert holds("StringEquals", "s3:prefix", "a/", s3__prefix="a/")
    assert not holds("StringEquals", "s3:prefix", "A/", s3__prefix="a/")
    assert holds("StringEqualsIgnoreCase", "s3:prefix", "A/", s3__prefix="a/")
    assert holds("StringNotEqualsIgnoreCase", "s3:prefix", "b/", s3__prefix="a/")
    assert holds("StringNotEquals", "s3:prefix", ["b/", "c/"], s3__prefix="a/")
    assert not holds("StringNotEquals", "s3:prefix", ["a/", "c/"], s3__prefix="a/")
    assert holds("StringLike", "s3:prefix", "media/*", s3__prefix="media/x/y")
    assert holds("StringLike", "s3:prefix", "m?dia/*", s3__prefix="media/x")
    assert not holds("StringLike", "s3:prefix", "media/*", s3__prefix="uploads/x")
    assert holds("StringNotLike", "s3:prefix", "media/*", s3__prefix="uploads/x")


def test_values_of_one_key_are_alternatives_and_keys_and_operators_all_hold() -> None:
    assert holds("StringEquals", "sns:Protocol", ["email", "sms"], sns__Protocol="sms")
    both = {
        "StringEquals": {"aws:SourceAccount": "1", "sns:Protocol": "sms"},
        "ArnLike": {"aws:SourceArn": "arn:aws:s3:::b"},
    }
    context = {"aws:SourceAccount": "1", "sns:Protocol": "sms", "aws:SourceArn": "arn:aws:s3:::b"}
    assert evaluate(both, context)
    assert not evaluate(both, {**context, "sns:Protocol": "email"})
    assert not evaluate(both, {**context, "aws:SourceArn": "arn:aws:s3:::c"})


def test_condition_keys_are_case_insensitive() -> None:
    assert holds("ArnLike", "AWS:SourceArn", "arn:aws:s3:::b", aws__sourcearn="arn:aws:s3:::b")


def test_arn_operators_match_component_by_component() -> None:
    pattern = "arn:aws:cloudfront::1:distribution/*"
    assert holds(
        "ArnLike", "aws:SourceArn", pattern, aws__SourceArn="arn:aws:cloudfront::1:distribution/E1"
    )
    assert holds(
        "ArnEquals",
        "aws:SourceArn",
        "arn:aws:sqs:*:1:q",
        aws__SourceArn="arn:aws:sqs:us-east-1:1:q",
    )
    # a wildcard does not cross ":" inside the first five components
    assert not holds("ArnLike", "aws:SourceArn", "arn:aws:*:q", aws__SourceArn="arn:aws:sqs:r:1:q")
    assert holds("ArnNotLike", "aws:SourceArn", pattern, aws__SourceArn="arn:aws:s3:::b")
    assert holds("ArnNotEquals", "aws:SourceArn", pattern, aws__SourceArn="arn:aws:s3:::b")
    assert not holds("ArnLike", "aws:SourceArn", pattern, aws__SourceArn="not-an-arn")


def test_bool_numeric_date_ip_binary() -> None:
    assert holds("Bool", "aws:SecureTransport", "false", aws__SecureTransport=False)
    assert holds("Bool", "aws:SecureTransport", True, aws__SecureTransport="true")
    assert not holds("Bool", "aws:SecureTransport", "false", aws__SecureTransport=True)
    assert holds("NumericLessThanEquals", "s3:signatureAge", "10", s3__signatureAge=10)
    assert not holds("NumericGreaterThan", "s3:signatureAge", "10", s3__signatureAge=10)
    assert holds("NumericNotEquals", "s3:signatureAge", "10", s3__signatureAge="11")
    assert holds("NumericEquals", "s3:signatureAge", "10", s3__signatureAge="10")
    assert holds(
        "DateLessThan",
        "aws:CurrentTime",
        "2030-01-01T00:00:00Z",
        aws__CurrentTime="2026-12-02T00:00:00Z",
    )
    assert holds("DateGreaterThan", "aws:EpochTime", "0", aws__EpochTime="1700000000")
    assert holds("IpAddress", "aws:SourceIp", "10.0.0.0/8", aws__SourceIp="10.1.2.3")
    assert holds("NotIpAddress", "aws:SourceIp", "10.0.0.0/8", aws__SourceIp="192.168.0.1")
    assert holds("BinaryEquals", "k:b", "QUJD", k__b="QUJD")


def test_a_missing_key_fails_positive_operators_and_satisfies_negated_ones() -> None:
    assert not holds("StringEquals", "aws:SourceAccount", "1")
    assert not holds("ArnLike", "aws:SourceArn", "*")
    assert not holds("Bool", "aws:SecureTransport", "false")
    assert holds("StringNotEquals", "aws:SourceAccount", "1")
    assert holds("ArnNotLike", "aws:SourceArn", "arn:aws:s3:::b")


def test_if_exists_holds_when_the_key_is_missing_and_tests_it_otherwise() -> None:
    assert holds("StringEqualsIfExists", "aws:SourceAccount", "1")
    assert holds("StringEqualsIfExists", "aws:SourceAccount", "1", aws__SourceAccount="1")
    assert not holds("StringEqualsIfExists", "aws:SourceAccount", "1", aws__SourceAccount="2")
    assert holds("ForAnyValue:StringLikeIfExists", "dynamodb:LeadingKeys", "MEDIA#*")


def test_null() -> None:
    assert holds("Null", "aws:SourceArn", "true")
    assert not holds("Null", "aws:SourceArn", "true", aws__SourceArn="x")
    assert holds("Null", "aws:SourceArn", "false", aws__SourceArn="x")
    assert not holds("Null", "aws:SourceArn", "false")


def test_for_all_values() -> None:
    key, allowed = "dynamodb:LeadingKeys", ["MEDIA#*", "USER#*"]
    assert holds("ForAllValues:StringLike", key, allowed, dynamodb__LeadingKeys=["MEDIA#1"])
    assert holds(
        "ForAllValues:StringLike", key, allowed, dynamodb__LeadingKeys=["MEDIA#1", "USER#2"]
    )
    assert not holds(
        "ForAllValues:StringLike", key, allowed, dynamodb__LeadingKeys=["MEDIA#1", "TAG#u#t"]
    )
    # IAM: a missing key, or an empty set, makes ForAllValues true
    assert holds("ForAllValues:StringLike", key, allowed)
    assert holds("ForAllValues:StringLike", key, allowed, dynamodb__LeadingKeys=[])
    assert holds("ForAllValues:StringNotEquals", "aws:TagKeys", ["a"], aws__TagKeys=["b", "c"])
    assert not holds("ForAllValues:StringNotEquals", "aws:TagKeys", ["a"], aws__TagKeys=["a", "c"])


def test_for_any_value() -> None:
    key = "aws:TagKeys"
    assert holds("ForAnyValue:StringEquals", key, ["a", "b"], aws__TagKeys=["x", "b"])
    assert not holds("ForAnyValue:StringEquals", key, ["a", "b"], aws__TagKeys=["x", "y"])
    # IAM: a missing key, or an empty set, makes ForAnyValue false
    assert not holds("ForAnyValue:StringEquals", key, ["a"])
    assert not holds("ForAnyValue:StringEquals", key, ["a"], aws__TagKeys=[])


def test_policy_variables_in_condition_values() -> None:
    assert holds(
        "StringLike",
        "s3:prefix",
        "home/${aws:username}/*",
        s3__prefix="home/ann/x",
        aws__username="ann",
    )
    assert not holds(
        "StringLike",
        "s3:prefix",
        "home/${aws:username}/*",
        s3__prefix="home/bob/x",
        aws__username="ann",
    )
    # a variable the request lacks matches nothing; a default applies instead when given
    assert not holds("StringLike", "s3:prefix", "home/${aws:username}/*", s3__prefix="home/x/y")
    assert holds("StringEquals", "s3:prefix", "${aws:username, 'anon'}", s3__prefix="anon")
    # ${*} is a literal asterisk, not a wildcard
    assert holds("StringLike", "s3:prefix", "a${*}", s3__prefix="a*")
    assert not holds("StringLike", "s3:prefix", "a${*}", s3__prefix="ab")


@pytest.mark.parametrize(
    "operator", ["StringMatches", "ForEveryValue:StringEquals", "NullIfExists", "ForAllValues:Null"]
)
def test_an_unmodeled_operator_raises(operator: str) -> None:
    with pytest.raises(Unmodeled):
        holds(operator, "aws:SourceAccount", "1", aws__SourceAccount="1")


def test_a_plain_operator_on_a_multivalued_key_raises() -> None:
    with pytest.raises(Unmodeled):
        holds(
            "StringLike", "dynamodb:LeadingKeys", "MEDIA#*", dynamodb__LeadingKeys=["MEDIA#1", "X"]
        )
    assert holds("StringLike", "dynamodb:LeadingKeys", "MEDIA#*", dynamodb__LeadingKeys=["MEDIA#1"])
