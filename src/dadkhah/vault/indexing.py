"""What the search index holds for evidence items and testimony (registered on import).

An item's extracted text is indexed page by page (``part`` = ``page:N``), Persian-normalised, at the
item's own sensitivity, so a snippet is only ever produced for a caller who may see the item. A
testimony's transcript is indexed at the testimony's sensitivity, labelled with the witness's public
label (a pseudonym for a protected witness).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dadkhah.model import Person
from dadkhah.store.search import Doc, register_indexer
from dadkhah.vault.tables import EvidenceItem, Testimony

CHUNK_CHARS = 100_000  # PostgreSQL's tsvector holds at most 1 MiB per document
MAX_PARTS = 2000


def _keys(text: str) -> list[str]:
    from dadkhah.names import token_keys

    return list(dict.fromkeys(token_keys(text))) if text else []


def _chunks(text: str):
    for page_no, page in enumerate(text.split("\f"), 1):
        page = page.strip()
        if not page:
            continue
        if len(page) <= CHUNK_CHARS:
            yield f"page:{page_no}", page
            continue
        for i in range(0, len(page), CHUNK_CHARS):
            yield f"page:{page_no}:{i // CHUNK_CHARS + 1}", page[i:i + CHUNK_CHARS]


def item_docs(session: Session, item: EvidenceItem) -> list[Doc]:
    from dadkhah.names import normalize
    from dadkhah.vault.evidence import item_text

    label = item.title or item.filename or item.id
    facets = {"media_type": [item.media_type], "text_method": [item.text_method]}
    head = " ".join(filter(None, [item.title, item.filename, item.description]))
    docs = [Doc(kind="evidence", record_id=item.id, part="meta", label=label, body=normalize(head),
                keys=_keys(head), sensitivity=item.sensitivity, facets=facets)]
    try:
        text = item_text(session, item)
    except Exception:  # noqa: BLE001 - a missing derived blob is reported by `dadkhah verify`
        text = ""
    for n, (part, chunk) in enumerate(_chunks(text)):
        if n >= MAX_PARTS:
            break
        docs.append(Doc(kind="evidence", record_id=item.id, part=part, label=label, body=normalize(chunk),
                        keys=_keys(chunk[:20_000]), sensitivity=item.sensitivity, facets=facets))
    return docs


def testimony_docs(session: Session, t: Testimony) -> list[Doc]:
    from dadkhah.access import rank
    from dadkhah.names import normalize

    witness = session.get(Person, t.witness_id)
    # the witness's label only when it may be read wherever the testimony may (else it would leak there)
    named = witness is not None and rank(witness.sensitivity) <= rank(t.sensitivity)
    label = f"Testimony of {witness.label}" if named else f"Testimony {t.id}"
    if t.date_text:
        label += f", {t.date_text}"
    text = t.transcript or ""
    return [Doc(kind="testimony", record_id=t.id, part=part, label=label, body=normalize(chunk),
                keys=_keys(chunk[:20_000]), sensitivity=t.sensitivity, entity_id=t.witness_id,
                facets={"language": [t.language] if t.language else []})
            for part, chunk in _chunks(text)] or [
        Doc(kind="testimony", record_id=t.id, part="meta", label=label, body="", sensitivity=t.sensitivity,
            entity_id=t.witness_id)]


register_indexer(EvidenceItem, item_docs)
register_indexer(Testimony, testimony_docs)
