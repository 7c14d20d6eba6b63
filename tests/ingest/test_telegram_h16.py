"""Telegram Desktop exports (h16): one evidence item per message, media hashed and fingerprinted, text
searchable, custody naming the export file's hash."""

from __future__ import annotations

import hashlib
import json

from dadkhah.access import SYSTEM, operator
from dadkhah.ingest import IngestOptions, ingest_paths
from dadkhah.ingest.fingerprints import fingerprints_of
from dadkhah.vault import custody
from dadkhah.vault.evidence import get_item

OPTS = IngestOptions(ocr=False)


def _export(folder):
    from PIL import Image, ImageDraw

    (folder / "photos").mkdir(parents=True)
    im = Image.new("RGB", (200, 150), (40, 80, 120))
    ImageDraw.Draw(im).rectangle([30, 30, 150, 110], fill=(230, 210, 60))
    im.save(folder / "photos" / "photo_1@01-09-2022_10-00-00.jpg", quality=90)
    data = {
        "name": "کانال دادخواهی", "type": "public_channel", "id": 1367001,
        "messages": [
            {"id": 10, "type": "message", "date": "2022-09-01T10:00:00", "date_unixtime": "1662026400",
             "from": "کانال دادخواهی", "from_id": "channel1367001",
             "text": ["فهرست اعدام‌شدگان ", {"type": "bold", "text": "گوهردشت"}, " — see ",
                      {"type": "link", "text": "https://example.org/list"}],
             "text_entities": [{"type": "plain", "text": "فهرست اعدام‌شدگان "},
                               {"type": "link", "text": "https://example.org/list"}]},
            {"id": 11, "type": "message", "date": "2022-09-01T10:05:00", "from": "کانال دادخواهی",
             "forwarded_from": "Amnesty Iran", "views": 5120, "photo": "photos/photo_1@01-09-2022_10-00-00.jpg",
             "width": 200, "height": 150, "text": "Survivors' testimony from Evin"},
            {"id": 12, "type": "message", "date": "2022-09-02T08:00:00", "from": "Reza", "from_id": "user42",
             "reply_to_message_id": 10, "edited": "2022-09-02T08:10:00", "text": "Thank you"},
            {"id": 13, "type": "message", "date": "2022-09-02T09:00:00", "from": "Reza",
             "file": "files/missing.pdf", "text": ""},
            "not a message",
        ],
    }
    (folder / "result.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder / "result.json"


def test_a_telegram_export_becomes_one_item_per_message(case, tmp_path):
    export = _export(tmp_path / "ChatExport_2022-09-03")
    (tmp_path / "other.txt").write_text("an unrelated note beside the export")
    report = ingest_paths(case, [tmp_path], options=OPTS)
    by_status = {}
    for r in report.results:
        by_status.setdefault(r.status, []).append(r)
    messages = [r for r in report.results if r.media_type == "application/vnd.telegram.message+json"]
    assert len(messages) == 4
    failed = by_status["failed"]
    assert len(failed) == 1 and "message 5" in failed[0].path and "not a Telegram message" in failed[0].error
    export_sha = hashlib.sha256(export.read_bytes()).hexdigest()
    assert any(r.sha256 == export_sha for r in report.results)  # the export file itself is evidence
    assert any(r.path.endswith("other.txt") and r.status == "stored" for r in report.results)

    ids = {json.loads(_original(case, r.item_id))["message"]["id"]: r.item_id for r in messages}
    with case.reader(SYSTEM) as s:
        m10, m11, m12, m13 = (get_item(s, ids[n], SYSTEM) for n in (10, 11, 12, 13))
        t10, t11, t12, t13 = (m.meta["telegram"] for m in (m10, m11, m12, m13))
        log = [custody.event_to_dict(e) for e in custody.custody_log(s, m11.id)]
        photo_item = t11["media"]["photo"]["item"]
        photo_type = get_item(s, photo_item, SYSTEM).media_type
        photo_fps = {f.kind for f in fingerprints_of(s, photo_item)}
        m10_title, m11_captured, m13_problems = m10.title, m11.captured_at, m13.problems
    assert t10["chat"] == "کانال دادخواهی" and t10["chat_type"] == "public_channel" and t10["author"]
    assert t10["links"] == ["https://example.org/list"]
    assert m10_title == "کانال دادخواهی #10" and m11_captured == "2022-09-01T10:05:00"
    assert t11["forwarded_from"] == "Amnesty Iran" and t11["views"] == 5120
    assert photo_type == "image/jpeg" and {"pdq", "phash"} <= photo_fps
    assert t12["reply_to_item"] == ids[10] and t12["edited"] == "2022-09-02T08:10:00" and t12["author_id"] == "user42"
    assert t13["media"]["file"]["missing"] and "not in the export" in m13_problems[0]
    assert log[0]["action"] == "ingest" and log[0]["details"]["export_sha256"] == export_sha
    assert log[0]["details"]["message_id"] == 11

    from dadkhah.store.search import search

    with case.reader(SYSTEM) as s:
        assert ids[10] in {h.id for h in search(s, "گوهردشت", principal=operator("t"))}
        assert ids[11] in {h.id for h in search(s, "Evin", principal=operator("t"))}

    again = ingest_paths(case, [tmp_path], options=OPTS)
    assert {r.status for r in again.results if r.media_type and "telegram" in r.media_type} == {"duplicate"}
    from dadkhah.vault.integrity import check

    assert check(case)["ok"]


def _original(case, item_id):
    with case.reader(SYSTEM) as s:
        sha = get_item(s, item_id, SYSTEM).sha256
    return case.blobs.read_bytes(sha)


def test_a_broken_result_json_is_reported(sqlite_case, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "result.json").write_text('{"name": "x", "type": "private_chat", "messages": [ {"id": 1,')
    report = ingest_paths(sqlite_case, [folder], options=OPTS)
    assert not report.ok
    assert any("not a readable Telegram export" in (r.error or "") for r in report.results)
