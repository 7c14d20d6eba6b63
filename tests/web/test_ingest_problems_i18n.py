"""An item's ingest problems are shown in the reader's language, their technical detail as data."""

import pytest

from dadkhah.web import render


class Ctx:
    def __init__(self, lang):
        self.lang, self.calendar = lang, "jalali"


def _show(text: str, lang: str) -> str:
    env = render.environment()
    return str(env.from_string("{{ p | ingest_problem }}").render(p=text, ctx=Ctx(lang)))


@pytest.mark.parametrize("stored", [
    "NUL characters removed from the metadata",
    "only the first 200 of 900 pages were read for text",
    "only the first 50 of 300 frames were OCR'd",
    "text cut at 5000000 characters",
    "encrypted PDF: text cannot be read without the password",
    "encrypted PDF: its document info and text cannot be read without the password",
    "page 3: OCR failed (TesseractError: bad)",
    "image too large to decode safely (178956970 pixels); stored, not analysed",
    "no text extracted: not a readable Outlook message (MSG): no property stream",
    "its Content Credentials (C2PA) do not validate: claim signature mismatch",
])
def test_every_ingest_problem_sentence_reads_in_persian(stored):
    shown = _show(stored, "fa")
    interface = shown.split("<bdi")[0]  # the detail, if any, is marked as data in a <bdi>
    assert interface.strip() and not any(ch.isascii() and ch.isalpha() for ch in interface.replace("PDF", "")
                                         .replace("NUL", "").replace("C2PA", "").replace("OCR", ""))
    assert _show(stored, "en").split("<bdi")[0].strip()[0].isupper()


def test_numbers_in_a_problem_are_in_the_readers_digits():
    assert "۲۰۰" in _show("only the first 200 of 900 pages were read for text", "fa")


def test_an_unknown_sentence_is_still_shown_as_data():
    assert _show("something new", "fa") == '<bdi lang="en">something new</bdi>'
