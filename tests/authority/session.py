"""What tests/conftest.py records about the run for the session-wide authority proof."""

from __future__ import annotations

import pytest

#: True when the whole suite was collected (no -k, -m, node ids or deselection): only then is
#: the session's record of calls complete enough to prove every grant is used.
COMPLETE_RUN = pytest.StashKey[bool]()
