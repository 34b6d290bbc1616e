"""The upload page: it advertises exactly the types the upload API accepts (one source,
``media_types.ALLOWED``), and the JSON answers its script follows each file to its outcome with."""

from __future__ import annotations

import dataclasses
import html
import json
import re

import pytest

from snapstream_runtime.media_types import ALLOWED, UnsupportedType, canonical_type
from snapstream_runtime.settings import Settings
from snapstream_web.upload_formats import KIND_NAMES, groups, label
from tests.web.browser import Browser, BrowserFactory
from tests.web.media_helpers import upload


def _upload_page(browser: Browser) -> str:
    browser.register("alice")
    page = browser.get("/upload")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _accept(page: str) -> list[str]:
    found = re.search(r'<input id="files"[^>]* accept="([^"]*)"', page)
    assert found, "the file input has an accept attribute"
    return html.unescape(found.group(1)).split(",")


def _rules(page: str) -> dict[str, object]:
    found = re.search(r"data-rules='([^']*)'", page)
    assert found, "the drop zone carries the picker's rules"
    return dict(json.loads(html.unescape(found.group(1))))


def test_the_page_advertises_exactly_the_accepted_types(browser: Browser) -> None:
    page = _upload_page(browser)
    accept = _accept(page)
    assert len(accept) == len(set(accept))
    advertised_types = {a for a in accept if not a.startswith(".")}
    advertised_extensions = {a for a in accept if a.startswith(".")}
    assert advertised_types == set(ALLOWED)
    assert advertised_extensions == {e for t in ALLOWED.values() for e in t.extensions}
    for name in advertised_types:
        assert canonical_type(name).content_type == name
    # no wildcard that would offer what the API refuses
    assert not any("*" in a for a in accept)

    rules = _rules(page)
    extensions = rules["extensions"]
    assert isinstance(extensions, dict)
    assert extensions == {e: t.content_type for t in ALLOWED.values() for e in t.extensions}
    types = rules["types"]
    assert isinstance(types, list) and set(ALLOWED) <= set(types)
    for declared in types:  # aliases too: each is one the API maps to an accepted type
        assert canonical_type(declared).content_type in ALLOWED


def test_the_formats_sentence_is_generated_by_kind(browser: Browser) -> None:
    page = _upload_page(browser)
    listed = re.search(r'data-testid="accepted-formats">(.*?)</dl>', page, re.S)
    assert listed
    text = html.unescape(listed.group(1))
    for group in groups():
        kind_types = [t for t in ALLOWED.values() if t.kind.value == group.kind]
        assert group.labels == tuple(label(t) for t in kind_types)
        row = re.search(rf'data-kind="{group.kind}"><dt>([^<]*)</dt><dd>([^<]*)</dd>', text)
        assert row, group.kind
        assert row.group(1) == KIND_NAMES[kind_types[0].kind]
        assert row.group(2).split(", ") == list(group.labels)
    # every accepted type is in the sentence, and nothing else is advertised by name
    assert sum(len(g.labels) for g in groups()) == len(ALLOWED)
    assert label(ALLOWED["image/jpeg"]) == ALLOWED["image/jpeg"].label
    no_label = dataclasses.replace(ALLOWED["image/jpeg"], label="")
    assert label(no_label) == "JPG/JPEG"  # from its extensions


@pytest.mark.parametrize("kind", ["image", "video", "audio"])
def test_every_advertised_type_and_extension_is_accepted_by_the_api(
    make_browser: BrowserFactory, kind: str
) -> None:
    browser = make_browser()
    rules = _rules(_upload_page(browser))
    extensions = rules["extensions"]
    assert isinstance(extensions, dict)
    for extension, content_type in sorted(extensions.items()):
        if not content_type.startswith(f"{kind}/"):
            continue
        answer = browser.api(
            "POST",
            "/api/uploads",
            {"file_name": f"sample{extension}", "content_type": content_type, "size": 1024},
        )
        assert answer.status_code == 201, (extension, content_type, answer.json)


def test_what_the_page_does_not_advertise_is_refused(browser: Browser) -> None:
    accept = _accept(_upload_page(browser))
    for content_type, file_name in (
        ("application/pdf", "notes.pdf"),
        ("text/html", "page.html"),
        ("image/svg+xml", "logo.svg"),
    ):
        assert content_type not in accept
        with pytest.raises(UnsupportedType):
            canonical_type(content_type)
        answer = browser.api(
            "POST",
            "/api/uploads",
            {"file_name": file_name, "content_type": content_type, "size": 1024},
        )
        assert answer.status_code == 422


def test_the_page_has_a_row_for_each_outcome_and_no_inline_code(browser: Browser) -> None:
    page = _upload_page(browser)
    row = page.split('<template id="upload-row">', 1)[1].split("</template>", 1)[0]
    for part in ('class="name"', "<progress", 'class="action"', 'class="state" role="status"'):
        assert part in row
    assert re.search(r'<script src="/static/js/upload\.js\?v=[0-9a-f]{16}" defer>', page)
    assert "<script>" not in page and " style=" not in page


def test_a_file_is_followed_to_ready_or_rejected_with_the_reason(
    browser: Browser, web_settings: Settings
) -> None:
    """What upload.js asks once a file is stored: its status until it is final, then (for a
    rejected or failed one) the reason on the media."""
    browser.register("alice")
    good = upload(browser, web_settings, name="harbour.png")
    fake = upload(
        browser,
        web_settings,
        name="holiday.jpg",
        body=b"these are words, not a JPEG image at all",
        content_type="image/jpeg",
    )
    found = browser.api("GET", f"/api/media/status?ids={good},{fake}").json
    assert found[good]["status"] in {"uploaded", "processing", "ready"}
    assert found[fake]["status"] == "rejected"
    detail = browser.api("GET", f"/api/media/{fake}").json
    assert detail["status_reason"] == (
        "the file's content is not a supported image, video or audio format"
    )
    assert browser.get(f"/media/{good}").status_code == 200  # the row's link
