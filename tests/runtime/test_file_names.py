from __future__ import annotations

import pytest

from snapstream_runtime.file_names import BadFileName, display_title, safe_file_name


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("holiday.mp4", "holiday.mp4"),
        ("My holiday (1).mp4", "My holiday (1).mp4"),
        ("Fête d'été+1.png", "Fête d_été+1.png"),
        ("../../etc/passwd.png", "passwd.png"),
        ("C:\\Users\\me\\clip.mov", "clip.mov"),
        ("<script>alert(1)</script>.png", "script_.png"),
        ("<img src=x onerror=alert(1)>.png", "img src_x onerror_alert(1)_.png"),
        ("a\x00b\x1fc.jpg", "a_b_c.jpg"),
        ("   .hidden.jpg", "hidden.jpg"),
        ("x;rm -rf $HOME.mp3", "x_rm -rf_HOME.mp3"),
    ],
)
def test_hostile_names_become_safe_key_segments(given: str, safe: str) -> None:
    assert safe_file_name(given) == safe


def test_long_names_keep_their_extension() -> None:
    name = safe_file_name("a" * 500 + ".webp")
    assert len(name) <= 120
    assert name.endswith(".webp")


@pytest.mark.parametrize("given", ["", "   ", "../..", "\x00\x01", "..."])
def test_names_with_nothing_usable_are_refused(given: str) -> None:
    with pytest.raises(BadFileName):
        safe_file_name(given)


def test_display_title_keeps_words_and_drops_control_characters() -> None:
    assert display_title("Mayor\x07 speech <b>.mp4") == "Mayor speech <b>.mp4"
    assert display_title("\x00") == "untitled"
