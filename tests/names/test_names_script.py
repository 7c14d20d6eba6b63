"""Script detection and digit conversion (dadkhah.names.script)."""

import pytest

from dadkhah.names import detect_script, to_ascii_digits, to_persian_digits


@pytest.mark.parametrize(("text", "script"), [
    ("ابراهیم رئیسی", "fa"),
    ("علي", "fa"),
    ("Ebrahim Raisi", "latin"),
    ("Ebrahim رئیسی", "mixed"),
    ("1367 - ۱۳۶۷ !", ""),
    ("", ""),
    ("ابراهیم ۱۲", "fa"),
    ("Łukasz", "latin"),
])
def test_detect_script(text, script):
    assert detect_script(text) == script


def test_digits_both_ways():
    assert to_ascii_digits("۱۳۶۷ و ١٣٦٧") == "1367 و 1367"
    assert to_persian_digits("1367 و ١٣٦٧") == "۱۳۶۷ و ۱۳۶۷"
    assert to_ascii_digits(to_persian_digits("0123456789")) == "0123456789"


def test_digit_conversion_leaves_letters_alone():
    assert to_persian_digits("Ali 12") == "Ali ۱۲"
    assert to_ascii_digits("") == ""
