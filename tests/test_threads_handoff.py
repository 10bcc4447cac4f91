"""The switch interval a run uses while its background threads work, and that it is put back."""

from __future__ import annotations

import sys

from sheetsync.runtime.threads import HANDOFF_SECONDS, quick_handoffs


def test_quick_handoffs_sets_the_interval_inside_and_restores_it_after_an_error() -> None:
    before = sys.getswitchinterval()
    try:
        with quick_handoffs():
            assert sys.getswitchinterval() == HANDOFF_SECONDS
            raise KeyError("boom")
    except KeyError:
        pass
    assert sys.getswitchinterval() == before


def test_quick_handoffs_never_slows_a_faster_setting() -> None:
    before = sys.getswitchinterval()
    sys.setswitchinterval(HANDOFF_SECONDS / 4)
    try:
        with quick_handoffs():
            assert sys.getswitchinterval() == HANDOFF_SECONDS / 4
    finally:
        sys.setswitchinterval(before)
