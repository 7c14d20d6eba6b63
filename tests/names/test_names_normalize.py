"""Normalisation for matching: one spelling per letter, no marks, tidy spaces (dadkhah.names.normalize)."""

import pytest

from dadkhah.names import normalize, normalize_latin, normalize_persian

ZWNJ = "\u200c"


@pytest.mark.parametrize(("arabic", "persian", "rule"), [
    ("علي", "علی", "Arabic yeh ي"),
    ("موسى", "موسی", "alef maksura ى"),
    ("رئيس", "رییس", "yeh with hamza ئ"),
    ("كاظم", "کاظم", "Arabic kaf ك"),
    ("فاطمة", "فاطمه", "teh marbuta ة"),
    ("خانۀ", "خانه", "heh with yeh above ۀ"),
    ("خانهٔ", "خانه", "heh with hamza above (U+0654)"),
    ("أحمد", "احمد", "alef with hamza above أ"),
    ("إبراهیم", "ابراهیم", "alef with hamza below إ"),
    ("ٱلله", "الله", "alef wasla ٱ"),
    ("آقا", "اقا", "alef madda آ (matching policy)"),
    ("مؤمن", "مومن", "waw with hamza ؤ"),
    ("جزء", "جز", "standalone hamza ء"),
])
def test_arabic_letter_forms_fold_onto_persian_letters(arabic, persian, rule):
    assert normalize_persian(arabic) == persian, rule


@pytest.mark.parametrize("marked", ["مُحَمَّد", "مُحَمَّدٌ", "مُحمّد", "مْحمد", "محمٰد"])
def test_diacritics_are_removed(marked):
    assert normalize_persian(marked) == "محمد"


def test_tatweel_is_removed():
    assert normalize_persian("زهـــرا") == "زهرا"


@pytest.mark.parametrize("joined", [f"محمد{ZWNJ}رضا", "محمد\u200bرضا", "محمد\u200dرضا", "\u200fمحمدرضا\u200e",
                                    "محمد\ufeffرضا"])
def test_zero_width_characters_vanish(joined):
    assert normalize_persian(joined) == "محمدرضا"


def test_persian_and_arabic_indic_digits_become_ascii():
    assert normalize_persian("۱۳۶۷/۰۵/۰۸") == "1367/05/08"
    assert normalize_persian("١٣٦٧") == "1367"


def test_whitespace_is_collapsed_and_trimmed():
    assert normalize_persian("  علی \t\n  رضایی  ") == "علی رضایی"
    assert normalize_persian(f"علی {ZWNJ} رضایی") == "علی رضایی"


def test_arabic_presentation_forms_become_letters():
    assert normalize_persian("\ufefb") == "لا"  # lam-alef ligature
    assert normalize_persian("\ufdf2") == "الله"


def test_persian_normalisation_leaves_latin_alone():
    assert normalize_persian("Ali علي") == "Ali علی"


@pytest.mark.parametrize(("raw", "expected"), [
    ("MOHAMMAD", "mohammad"),
    ("Ḥosayn", "hosayn"),
    ("Mosaddeq É â ü", "mosaddeq e a u"),
    ("Ma'soumeh", "masoumeh"),
    ("Ma’sumeh", "masumeh"),
    ("Saʿīd", "said"),
    ("Qurʾān", "quran"),
    ("Pour-Mohammadi", "pour mohammadi"),
    ("Hossein–Ali", "hossein ali"),
    ("  Ali    Rezaei ", "ali rezaei"),
    ("Šāh", "shah"),
    ("Žāle", "zhale"),
])
def test_latin_normalisation(raw, expected):
    assert normalize_latin(raw) == expected


def test_latin_normalisation_leaves_persian_letters_alone():
    assert normalize_latin("رئیسی Raisi") == "رئیسی raisi"


def test_normalize_applies_the_right_rules_to_each_script():
    assert normalize("Ebrahim RAISI ابراهيم رئيسي") == "ebrahim raisi ابراهیم رییسی"
    assert normalize("Pour-Mohammadi پور‌محمدی") == "pour mohammadi پورمحمدی"


def test_normalising_twice_changes_nothing():
    for text in ["Seyed Ali Khamenei", "سید علی خامنه‌ای", "Ma'soumeh — ۱۲"]:
        once = normalize(text)
        assert normalize(once) == once


def test_empty_and_none_normalise_to_empty():
    assert normalize("") == normalize_persian("") == normalize_latin("") == ""
    assert normalize(None) == ""


def test_a_non_string_is_refused_with_a_clear_error():
    with pytest.raises(TypeError, match="must be a str"):
        normalize(42)
