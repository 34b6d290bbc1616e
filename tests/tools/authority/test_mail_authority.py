"""The site's ses:SendEmail, judged against dev's synthesized policies: as mail_from, through the
environment's identity and configuration set, and nothing else (the proof has teeth)."""

from __future__ import annotations

from typing import Any

import pytest

from stacks.config import ENVIRONMENTS
from tools.authority.proof import Authority
from tools.authority.recorder import Call

SENDER = ENVIRONMENTS["dev"].mail_from
CONFIGURATION_SET = "local-mailconfigurationset2aa84368"  # tools/local/aws names it so


def _send(**params: Any) -> Call:
    request = {
        "FromEmailAddress": SENDER,
        "Destination": {"ToAddresses": ["someone@example.org"]},
        "Content": {"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
        "ConfigurationSetName": CONFIGURATION_SET,
        **params,
    }
    return Call("sesv2", "SendEmail", request, "site", "us-east-1")


def test_the_site_sends_as_mail_from_through_its_configuration_set(
    dev_authority: Authority,
) -> None:
    verdicts, problems = dev_authority.judge([_send()])
    assert problems == []
    assert [v.request.resource.rsplit(":", 1)[1] for v in verdicts] == [
        f"identity/{SENDER}",
        f"configuration-set/{CONFIGURATION_SET}",
    ]
    assert all(v.decision.allowed for v in verdicts)
    assert verdicts[0].request.context["ses:FromAddress"] == SENDER


def test_no_other_sender_and_no_other_role(dev_authority: Authority) -> None:
    # another address of the identity's domain: no identity of the environment sends as it
    _, problems = dev_authority.judge([_send(FromEmailAddress="ceo@example.com")])
    assert problems and "no SES identity" in problems[0]
    # a display name changes nothing: the address is what the condition reads
    verdicts, _ = dev_authority.judge([_send(FromEmailAddress=f"SnapStream <{SENDER}>")])
    assert verdicts and all(v.decision.allowed for v in verdicts)
    # the pipeline's functions hold no SendEmail
    call = _send()
    ingest = Call(
        call.service, call.operation, call.params, "snapstream_runtime.handlers.ingest", "us-east-1"
    )
    verdicts, _ = dev_authority.judge([ingest])
    assert verdicts and not any(v.decision.allowed for v in verdicts)


@pytest.mark.parametrize("name", ["someone-elses-set"])
def test_a_configuration_set_of_no_environment_is_refused(
    dev_authority: Authority, name: str
) -> None:
    _, problems = dev_authority.judge([_send(ConfigurationSetName=name)])
    assert problems and "ConfigurationSet" in problems[0]
