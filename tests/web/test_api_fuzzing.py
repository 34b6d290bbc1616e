"""The JSON API fuzzed against its own OpenAPI document with schemathesis, in-process (WSGI).

For every documented operation, a fixed, small number of valid and of invalid requests
(Hypothesis; no example database, fixed seed, deadline per request) from a logged-in
administrator with the CSRF token; each answer must not be a server error, must have a status
the document lists for the operation, the content type it names, and a body that matches its
schema; invalid input must be refused with a 4xx. Time-bounded: the whole run takes seconds.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from snapstream_web.config import WebConfig
from snapstream_web.openapi import openapi_document
from tests.web.browser import BASE, Browser, BrowserFactory
from tests.web.media_helpers import upload

EXAMPLES = {GenerationMode.POSITIVE: 6, GenerationMode.NEGATIVE: 6}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: the session cookie is the real one (schemathesis must not forge or drop it)
CONFIG = SchemathesisConfig.from_dict({"generation": {"with-security-parameters": False}})
#: operations that end or replace a session run from a client of their own
OWN_CLIENT = {("POST", "/api/session"), ("DELETE", "/api/session")}


def _fuzz(operation: Any, client: Browser, mode: GenerationMode) -> None:
    headers = {"X-CSRF-Token": client.csrf()}
    strategy = operation.as_strategy(generation_mode=mode, headers=headers)
    checks = [*CHECKS, *([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])]

    @seed(17)
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=timedelta(seconds=2),
        database=None,
        derandomize=False,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(session=client.client, base_url=BASE)
        case.validate_response(response, checks=checks, headers=headers)

    try:
        run()
    except Unsatisfiable:  # nothing of this operation can be made invalid (no parameters)
        assert mode is GenerationMode.NEGATIVE


def test_the_api_keeps_the_promises_of_its_openapi_document(
    app: Flask, make_browser: BrowserFactory, web_config: WebConfig
) -> None:
    fuzzer = make_browser()
    fuzzer.register("fuzzer")
    app.test_cli_runner().invoke(args=["promote", "fuzzer@example.com"])
    upload(fuzzer, web_config.settings, name="sample.png")
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=CONFIG)
    started, operations = time.perf_counter(), 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        client = (
            make_browser() if (operation.method.upper(), operation.path) in OWN_CLIENT else fuzzer
        )
        for mode in EXAMPLES:
            _fuzz(operation, client, mode)
        operations += 1
    assert operations >= 20
    assert fuzzer.api("GET", "/api/me").status_code == 200
    print(f"{operations} operations fuzzed in {time.perf_counter() - started:.1f} s")


def test_every_operation_documents_its_errors_with_the_error_schema() -> None:
    document = openapi_document()
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "status"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            public = operation.get("security") == []
            if not public:
                assert {"401", "403"} <= set(responses), (method, path)
            if any(p.get("$ref", "").endswith("Csrf") for p in operation.get("parameters", [])):
                assert {"400", "413"} <= set(responses), (method, path)
            if "{media_id}" in path:
                assert "404" in responses, (method, path)
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    resolved = document["components"]["responses"][response["$ref"].split("/")[-1]]
                    schema = resolved["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, code)
    login = document["paths"]["/api/session"]["post"]["responses"]
    assert {"400", "401", "413", "429"} <= set(login)
    assert "422" in document["paths"]["/api/uploads"]["post"]["responses"]
