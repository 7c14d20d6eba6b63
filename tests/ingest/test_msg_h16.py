"""Outlook messages (.msg): detected by their streams, subject, sender, recipients, body and attachment
names extracted and searchable; a damaged message is stored with a problem that says so, and the reader
itself raises an InputError naming the file. The messages are written by tests/ingest/msgfile.py."""

from __future__ import annotations

import olefile
import pytest
from msgfile import write_msg

from dadkhah.access import SYSTEM, operator
from dadkhah.errors import InputError
from dadkhah.ingest import IngestOptions, ingest_paths
from dadkhah.ingest.detect import MSG, sniff
from dadkhah.ingest.limits import DEFAULT_LIMITS
from dadkhah.ingest.office import extract
from dadkhah.vault.evidence import get_item, item_text

OPTS = IngestOptions(ocr=False)
BODY = "در تابستان ۱۳۶۷ فهرست‌های زندانیان گوهردشت را دیدم.\r\nThe transfers began on 28 July."


def _message(path, **kw):
    args = dict(subject="شهادت درباره‌ی گوهردشت", sender_name="مریم احمدی", sender_email="maryam@example.org",
                body=BODY, to=[("Reza Karimi", "reza@example.org")], attachments=[("فهرست-بند-۳.pdf", b"%PDF-1.4\n")])
    args.update(kw)
    return write_msg(path, **args)


def test_the_written_message_is_a_compound_file_with_the_msg_layout(tmp_path):
    p = _message(tmp_path / "testimony.msg")
    assert olefile.isOleFile(str(p))
    with olefile.OleFileIO(str(p)) as ole:  # an independent reader of the container
        assert ole.root.clsid == "00020D0B-0000-0000-C000-000000000046"
        assert ole.openstream("__substg1.0_0037001F").read().decode("utf-16-le") == "شهادت درباره‌ی گوهردشت"
        assert ole.exists("__recip_version1.0_#00000000/__properties_version1.0")
        assert ole.exists("__attach_version1.0_#00000000/__substg1.0_37010102")
    assert sniff(p) == MSG


def test_subject_sender_recipient_body_and_attachments_are_extracted(tmp_path):
    ex = extract(_message(tmp_path / "testimony.msg"), MSG, DEFAULT_LIMITS)
    assert ex.method == "msg" and len(ex.pages) == 1
    text = ex.pages[0]
    head, _, rest = text.partition("\n\n")
    lines = head.splitlines()
    assert "From: مریم احمدی <maryam@example.org>" in lines
    assert "To: Reza Karimi <reza@example.org>" in lines
    assert "Subject: شهادت درباره‌ی گوهردشت" in lines
    assert any(line.startswith("Date: 2023-08-01 09:30:00") for line in lines)
    assert "فهرست‌های زندانیان گوهردشت" in rest and "The transfers began on 28 July." in rest
    assert rest.rstrip().endswith("attachment: فهرست-بند-۳.pdf")


def test_html_only_message_body_is_read_as_text(tmp_path):
    html = ("<html><head><meta charset='utf-8'><style>p{color:red}</style></head><body>"
            "<p>فهرست بند <b>۳</b></p><p>Ward three list</p></body></html>").encode()
    ex = extract(_message(tmp_path / "html.msg", body=None, html=html), MSG, DEFAULT_LIMITS)
    body = ex.pages[0].partition("\n\n")[2]
    assert "فهرست بند" in body and "Ward three list" in body
    assert "<p>" not in body and "color:red" not in body


@pytest.mark.parametrize("damage", ["no property stream", "truncated", "not a compound file"])
def test_a_damaged_message_raises_an_input_error_naming_the_file(tmp_path, damage):
    p = tmp_path / "broken.msg"
    if damage == "no property stream":
        _message(p, properties_stream=False)
    elif damage == "truncated":
        data = _message(tmp_path / "whole.msg").read_bytes()
        p.write_bytes(data[: len(data) // 2])
    else:
        p.write_bytes(b"From: not an Outlook file\r\n\r\njust text")
    with pytest.raises(InputError) as err:
        extract(p, MSG, DEFAULT_LIMITS)
    assert err.value.file == "broken.msg"
    assert str(err.value).startswith("broken.msg: not a readable Outlook message (MSG): ")
    assert len(str(err.value)) > len("broken.msg: not a readable Outlook message (MSG): ")


def test_message_is_searchable_after_ingest_and_a_damaged_one_is_stored_with_a_problem(sqlite_case, tmp_path):
    from dadkhah.store.search import search

    _message(tmp_path / "testimony.msg")
    _message(tmp_path / "damaged.msg", properties_stream=False, subject="another")
    results = {r.path.rsplit("/", 1)[-1]: r for r in ingest_paths(sqlite_case, [tmp_path], options=OPTS).results}
    good, bad = results["testimony.msg"], results["damaged.msg"]
    assert good.status == "stored" and good.media_type == MSG and good.text_method == "msg" and not good.problems
    assert bad.status == "stored" and bad.media_type == MSG and bad.text_method == "none"
    assert bad.problems == ["no text extracted: not a readable Outlook message (MSG): "
                            "File does not contain a property stream."]
    with sqlite_case.reader(SYSTEM) as s:
        for word in ("گوهردشت", "maryam@example.org", "transfers"):
            assert good.item_id in {h.id for h in search(s, word, principal=operator("t"))}, word
        text = item_text(s, get_item(s, good.item_id, SYSTEM))
    assert "Subject: شهادت درباره‌ی گوهردشت" in text
