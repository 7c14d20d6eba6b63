"""A small, fictional case for tests, examples and benchmarks of case building.

Every person here is invented. The case has a prison hierarchy, a death commission, an order, an
execution with its perpetrators and victims, a mass-grave site with a status history, graded
sources that support and contradict claims, and — marked with :data:`CANARY` — names, claims,
sources and records that are *not* public, so a test can prove that a public output leaks none.

:func:`build_chain_case` writes it into a case; :func:`synthetic_case` makes a throwaway case
holding it (SQLite or PostgreSQL); :func:`add_allegations` adds many graded allegations to one
person (for the 500-allegation dossier benchmark).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sqlalchemy.orm import Session

from dadkhah.claims.service import add_claim
from dadkhah.model import Person
from dadkhah.records.service import (
    add_event,
    add_membership,
    add_name,
    add_organization,
    add_participation,
    add_person,
    add_place,
    add_source,
)

CANARY = "CANARY7F3A"  # appears only in restricted and confidential material


def _sources(s: Session) -> None:
    add_source(s, id="src-un", source_type="report", title="Report of the Special Rapporteur (fictional)",
               author="UN Special Rapporteur", publisher="United Nations", date="1989-02", reliability="A",
               credibility=2, origin="UN", locator="https://example.org/un-report")
    add_source(s, id="src-press", source_type="article", title="Survivors describe the summer of 1988 (fictional)",
               publisher="Example Press", date="1990-05-01", reliability="C", credibility=3, origin="Example Press")
    add_source(s, id="src-denial", source_type="statement", title="Official denial (fictional)",
               publisher="Ministry (fictional)", date="1991", reliability="E", credibility=5, origin="Ministry")
    add_source(s, id="src-interview", source_type="testimony", title=f"Interview notes {CANARY}",
               reliability="B", credibility=2, origin="team", sensitivity="restricted")


def _places_and_bodies(s: Session) -> None:
    add_place(s, id="place-iran", place_type="country", country="IR", names=["Iran", {"text": "ایران", "lang": "fa"}])
    add_place(s, id="place-gohardasht", place_type="prison", parent_id="place-iran", country="IR",
              latitude=35.84, longitude=50.94, names=["Gohardasht Prison", {"text": "زندان گوهردشت", "lang": "fa"}])
    add_place(s, id="place-evin", place_type="prison", parent_id="place-iran", country="IR",
              names=["Evin Prison", {"text": "زندان اوین", "lang": "fa"}])
    add_place(s, id="place-khavaran", place_type="mass_grave", parent_id="place-iran", country="IR",
              latitude=35.62, longitude=51.55, names=["Khavaran", {"text": "خاوران", "lang": "fa"}])
    add_place(s, id="place-stockholm", place_type="city", country="SE", names=["Stockholm"])
    add_organization(s, id="org-prisons", org_type="government",
                     names=["Prisons Organisation", {"text": "سازمان زندان‌ها", "lang": "fa"}])
    add_organization(s, id="org-gohardasht", org_type="prison", parent_id="org-prisons", place_id="place-gohardasht",
                     names=["Gohardasht Prison administration", {"text": "اداره زندان گوهردشت", "lang": "fa"}])
    add_organization(s, id="org-evin", org_type="prison", parent_id="org-prisons", place_id="place-evin",
                     names=["Evin Prison administration"])
    add_organization(s, id="org-commission", org_type="commission",
                     names=["Death Commission", {"text": "هیئت مرگ", "lang": "fa"}])
    add_organization(s, id="org-ministry", org_type="ministry", names=["Ministry of Roads (fictional)"])


PERSONS = {
    "person-chief": ("Karim Shafiei", "کریم شفیعی"),
    "person-warden": ("Davood Rahimi", "داوود رحیمی"),
    "person-deputy": ("Naser Tavakoli", "ناصر توکلی"),
    "person-abbasi": ("Hamid Abbasi", "حمید عباسی"),
    "person-guard": ("Ali Moradi", "علی مرادی"),
    "person-later": ("Saeed Karimi", "سعید کریمی"),
    "person-judge": ("Hossein Nazari", "حسین نظری"),
    "person-prosecutor": ("Morteza Eshghi", "مرتضی عشقی"),
    "person-member": ("Ebrahim Rostami", "ابراهیم رستمی"),
    "person-member-1990": ("Jafar Mousavi", "جعفر موسوی"),
    "person-leader": ("Mahmoud Hashemi", "محمود هاشمی"),
    "person-witness": ("Leila Ahmadi", "لیلا احمدی"),
}

POSITIONS = [  # member, organisation, role, title, start, end
    ("person-chief", "org-prisons", "head", "Head of the Prisons Organisation", "1985", "1990"),
    ("person-warden", "org-gohardasht", "warden", "Warden of Gohardasht", "1986", "1990"),
    ("person-deputy", "org-gohardasht", "deputy", "Deputy prosecutor at Gohardasht", "1988-01", "1988-12"),
    ("person-abbasi", "org-gohardasht", "official", "Assistant to the deputy prosecutor", "1987", "1989"),
    ("person-guard", "org-gohardasht", "guard", "Guard", "1988", "1988"),
    ("person-later", "org-gohardasht", "official", "Prison official", "1995", "2000"),
    ("person-judge", "org-commission", "head", "Religious judge", "1988-07", "1988-09"),
    ("person-prosecutor", "org-commission", "prosecutor", "Prosecutor", "1988-07", "1988-09"),
    ("person-member", "org-commission", "member", "Member", "1988-07", "1988-09"),
    ("person-member-1990", "org-commission", "member", "Member", "1990", "1990"),
]


def build_chain_case(case, *, evidence: bool = True, tmp: Path | None = None) -> dict[str, str]:
    """Write the fictional case into ``case``; returns the ids tests refer to by role.

    With ``evidence``, two small files are ingested into the vault (written to ``tmp``, or to a
    temporary folder: ingest never takes files from inside the case folder) and a testimony recorded.
    """
    with case.session(actor="synthetic") as s:
        _sources(s)
        _places_and_bodies(s)
        for pid, (latin, persian) in PERSONS.items():
            add_person(s, id=pid, gender="male" if pid != "person-witness" else "female",
                       names=[latin, {"text": persian, "lang": "fa"}])
        abbasi = s.get(Person, "person-abbasi")
        add_name(s, abbasi, f"Abbasi {CANARY}", kind="alias", sensitivity="confidential")
        add_person(s, id="person-informant", names=[f"Informant {CANARY}"], sensitivity="confidential")
        # victims: one with both scripts, one written only in Persian, one only in Latin letters
        add_person(s, id="person-victim", gender="female", birth="1960", death="1988-08", father_name="Mohammad",
                   names=["Parvaneh Sadeghi", {"text": "پروانه صادقی", "lang": "fa"}])
        victim = s.get(Person, "person-victim")
        add_name(s, victim, f"Parvaneh {CANARY}", kind="alias", sensitivity="restricted")
        add_person(s, id="person-victim-fa", gender="female", death="1367/05",
                   names=[{"text": "منیژه کاظمی", "lang": "fa"}])
        add_person(s, id="person-victim-latin", gender="male", names=["Bahram Jafari"])
        add_person(s, id="person-victim-hidden", names=[f"Hidden {CANARY}"], sensitivity="restricted")

        for member, org, role, title, start, end in POSITIONS:
            add_membership(s, id=f"mem-{member.removeprefix('person-')}-{org.removeprefix('org-')}", member_id=member,
                           organization_id=org, role=role, title=title, start=start, end=end)
        add_membership(s, id="mem-abbasi-ministry", member_id="person-abbasi", organization_id="org-ministry",
                       role="official", title="Ministry official", start="2015")
        add_membership(s, id="mem-informant", member_id="person-informant", organization_id="org-gohardasht",
                       role="deputy", title=f"Informant {CANARY}", start="1988", end="1988",
                       sensitivity="confidential")

        add_event(s, id="event-order", event_type="order", label="Order to form the commission", date="1988-07")
        add_event(s, id="event-execution", event_type="execution", label="Executions at Gohardasht, August 1988",
                  date="1988-08", place_id="place-gohardasht",
                  names=["Executions at Gohardasht, August 1988",
                         {"text": "اعدام‌های گوهردشت، مرداد ۱۳۶۷", "lang": "fa"}])
        add_event(s, id="event-execution-evin", event_type="execution", label="Executions at Evin, 1988",
                  date="1988", place_id="place-evin")
        add_event(s, id="event-burial", event_type="burial", label="Burials at Khavaran", date="1988-08",
                  place_id="place-khavaran")
        add_event(s, id="event-razing", event_type="grave_destruction", label="Bulldozing at Khavaran",
                  date="2005-01", place_id="place-khavaran")
        add_event(s, id="event-secret", event_type="killing", label=f"Secret killing {CANARY}", date="1988",
                  sensitivity="confidential")
        add_event(s, id="event-trial", event_type="trial_abroad", label="Trial in Stockholm", date="2021",
                  place_id="place-stockholm")

        add_participation(s, id="part-leader-order", event_id="event-order", participant_id="person-leader",
                          role="perpetrator_ordering")
        add_participation(s, id="part-commission-execution", event_id="event-execution",
                          participant_id="org-commission", role="perpetrator_ordering")
        add_participation(s, id="part-abbasi-execution", event_id="event-execution", participant_id="person-abbasi",
                          role="perpetrator_direct")
        add_participation(s, id="part-abbasi-trial", event_id="event-trial", participant_id="person-abbasi",
                          role="defendant")
        for vid in ("person-victim", "person-victim-fa", "person-victim-latin"):
            add_participation(s, id=f"part-{vid.removeprefix('person-')}-execution", event_id="event-execution",
                              participant_id=vid, role="victim")
        add_participation(s, id="part-victim-burial", event_id="event-burial", participant_id="person-victim",
                          role="victim")
        add_participation(s, id="part-victim-secret", event_id="event-secret", participant_id="person-victim",
                          role="victim")
        add_participation(s, id="part-hidden-execution", event_id="event-execution",
                          participant_id="person-victim-hidden", role="victim", sensitivity="restricted")
        add_participation(s, id="part-witness-execution", event_id="event-execution", participant_id="person-witness",
                          role="witness")

        un = {"source_id": "src-un", "quotation": "Prisoners at Gohardasht were executed in groups.",
              "locator": "para. 12"}
        press = {"source_id": "src-press", "quotation": "He led prisoners to the hall.", "locator": "p. 3"}
        add_claim(s, id="claim-abbasi-execution", subject_id="person-abbasi", predicate="participated",
                  object_id="part-abbasi-execution",
                  statement="Hamid Abbasi took prisoners from their cells to the execution hall.",
                  citations=[un, press, {"source_id": "src-denial", "quotation": "No executions took place.",
                                         "locator": "", "stance": "contradicts"}])
        add_claim(s, id="claim-abbasi-position", subject_id="person-abbasi", predicate="held_position",
                  object_id="mem-abbasi-gohardasht", statement="Abbasi served at Gohardasht from 1987.",
                  citations=[press])
        add_claim(s, id="claim-abbasi-restricted", subject_id="person-abbasi", predicate="statement",
                  statement=f"A witness saw Abbasi at the hall {CANARY}.", sensitivity="restricted",
                  citations=[{"source_id": "src-interview", "quotation": f"I saw him {CANARY}"}])
        add_claim(s, id="claim-abbasi-hidden-source", subject_id="person-abbasi", predicate="statement",
                  statement=f"Abbasi kept lists {CANARY}.",
                  citations=[{"source_id": "src-interview", "quotation": f"lists {CANARY}"}])
        add_claim(s, id="claim-abbasi-now", subject_id="person-abbasi", predicate="located_at",
                  object_id="place-stockholm", valid="2019-11",
                  statement="Abbasi was arrested on arrival in Stockholm.",
                  citations=[{"source_id": "src-press", "quotation": "arrested at the airport", "locator": "p. 1"}])
        add_claim(s, id="claim-leader-ordered", subject_id="person-leader", predicate="ordered",
                  object_id="org-commission", valid="1988-07",
                  statement="Hashemi ordered the commission to decide the prisoners' fate.",
                  citations=[{"source_id": "src-un", "quotation": "the order came from the top", "locator": "para. 3"}])
        add_claim(s, id="claim-victim-fate", subject_id="person-victim", predicate="fate",
                  value_text="executed", statement="Parvaneh Sadeghi was executed at Gohardasht in August 1988.",
                  citations=[un])
        add_claim(s, id="claim-victim-secret", subject_id="person-victim", predicate="statement",
                  statement=f"Her file says more {CANARY}.", sensitivity="confidential",
                  citations=[{"source_id": "src-un", "quotation": "x"}])
        add_claim(s, id="claim-victim-fa-fate", subject_id="person-victim-fa", predicate="fate", value_text="executed",
                  statement="Manijeh Kazemi was executed at Gohardasht.", citations=[press])
        add_claim(s, id="claim-victim-buried", subject_id="person-victim", predicate="located_at",
                  object_id="place-khavaran", statement="Her family was told she lies at Khavaran.",
                  citations=[{"source_id": "src-press", "quotation": "they were told to look for her at Khavaran",
                              "locator": "p. 4"}])
        for cid, value, date, src in (("claim-khavaran-intact", "intact", "1988-09", "src-press"),
                                      ("claim-khavaran-desecrated", "desecrated", "2005-01", "src-un"),
                                      ("claim-khavaran-built", "built over", "2009", "src-un")):
            add_claim(s, id=cid, subject_id="place-khavaran", predicate="site_status", value_text=value, valid=date,
                      statement=f"The Khavaran site was {value}.",
                      citations=[{"source_id": src, "quotation": f"the site was {value}", "locator": ""}])
        for cid, value, low, high in (("claim-toll-high", "over 30,000", 30000, None),
                                      ("claim-toll-low", "several thousand", 2000, 9999)):
            add_claim(s, id=cid, subject_id="event-execution", predicate="death_toll", value_text=value,
                      value_low=low, value_high=high, unit="persons", statement=f"{value} were executed.",
                      citations=[{"source_id": "src-un" if low < 10000 else "src-press", "quotation": value}])
    ids = {"victim": "person-victim", "victim_fa": "person-victim-fa", "victim_latin": "person-victim-latin",
           "perpetrator": "person-abbasi", "site": "place-khavaran"}
    if evidence:
        if tmp is not None:
            ids.update(_evidence(case, tmp))
        else:
            import tempfile

            with tempfile.TemporaryDirectory(prefix="dadkhah-synthetic-") as folder:
                ids.update(_evidence(case, Path(folder)))
    return ids


def _evidence(case, folder: Path) -> dict[str, str]:
    """Two exhibits (a public one linked to a claim, a restricted one to the person) and a testimony."""
    from dadkhah.ingest.pipeline import IngestOptions, ingest_paths
    from dadkhah.vault.tables import TestimonyMention
    from dadkhah.vault.testimony import add_testimony

    folder.mkdir(parents=True, exist_ok=True)
    public = folder / "hall-photo-caption.txt"
    public.write_text("Caption: the execution hall at Gohardasht, photographed in 1990.\n", encoding="utf-8")
    secret = folder / "informant.txt"
    secret.write_text(f"Informant statement {CANARY}\n", encoding="utf-8")
    r1 = ingest_paths(case, [public], options=IngestOptions(sensitivity="public", source_id="src-un",
                                                            link_claims=["claim-abbasi-execution"], ocr=False))
    r2 = ingest_paths(case, [secret], options=IngestOptions(sensitivity="confidential",
                                                            link_entities=["person-abbasi"], ocr=False))
    transcript = ("In August 1988 I was held in ward 2. Hamid Abbasi came with a list and read names. "
                  f"The informant {CANARY} stood beside him.")
    with case.session(actor="synthetic") as s:
        t = add_testimony(s, id="testimony-1", witness_id="person-witness", transcript=transcript, date="2019-05",
                          language="en", consent_scope="prosecution", sensitivity="restricted")
        start = transcript.index("Hamid Abbasi")
        s.add(TestimonyMention(testimony_id=t.id, entity_id="person-abbasi", text="Hamid Abbasi", start=start,
                               end=start + len("Hamid Abbasi"), status="confirmed"))
        start = transcript.index(f"informant {CANARY}")
        s.add(TestimonyMention(testimony_id=t.id, entity_id="person-informant", text=f"informant {CANARY}",
                               start=start, end=start + len(f"informant {CANARY}"), status="confirmed"))
    return {"exhibit_public": r1.results[0].item_id, "exhibit_secret": r2.results[0].item_id,
            "sha_public": r1.results[0].sha256, "sha_secret": r2.results[0].sha256}


def add_allegations(case, person_id: str, n: int, *, sources: int = 20) -> None:
    """Give ``person_id`` ``n`` graded allegations (each a role in its own event, with two or three
    citations, some contradicting), for benchmarks."""
    grades = [("A", 2), ("B", 2), ("C", 3), ("D", 3), ("E", 5)]
    with case.session(actor="synthetic") as s:
        src_ids = []
        for i in range(sources):
            r, c = grades[i % len(grades)]
            src = add_source(s, source_type="report" if i % 2 else "article", title=f"Synthetic source {i + 1}",
                             publisher=f"Publisher {i % 7}", origin=f"Origin {i % 5}", reliability=r, credibility=c,
                             date=f"{1989 + i % 30}")
            src_ids.append(src.id)
        place = add_place(s, place_type="prison", names=["Synthetic prison", {"text": "زندان نمونه", "lang": "fa"}])
        for i in range(n):
            ev = add_event(s, event_type="execution" if i % 3 else "torture", label=f"Synthetic event {i + 1}",
                           date=f"1988-{(i % 12) + 1:02d}", place_id=place.id)
            role = ("perpetrator_direct", "perpetrator_complicit", "perpetrator_ordering")[i % 3]
            part = add_participation(s, event_id=ev.id, participant_id=person_id, role=role)
            cites = [{"source_id": src_ids[(i + k) % sources], "locator": f"p. {i + k + 1}",
                      "quotation": f"The accused was present at event {i + 1} (account {k + 1})."}
                     for k in range(2 + i % 2)]
            if i % 4 == 0:
                cites.append({"source_id": src_ids[(i + 7) % sources], "locator": "", "stance": "contradicts",
                              "quotation": f"No such event {i + 1} took place."})
            add_claim(s, subject_id=person_id, predicate="participated", object_id=part.id, citations=cites,
                      statement=f"The accused took part in synthetic event {i + 1} (رویداد {i + 1}).")


@contextmanager
def synthetic_case(folder: Path, *, db_url: str | None = None, evidence: bool = True) -> Iterator[tuple]:
    """A throwaway case holding the fictional case: in ``folder`` (SQLite), or in a schema of its own
    on the PostgreSQL server at ``db_url`` (dropped afterwards). Yields ``(case, ids)``."""
    from sqlalchemy import create_engine, text

    from dadkhah.case import Case

    folder = Path(folder)
    schema, admin = None, None
    if db_url:
        schema = f"synthetic_{uuid.uuid4().hex[:10]}"
        admin = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        case = Case.open(data_dir=folder, db_url=db_url, schema=schema, create=True, actor="synthetic")
        try:
            ids = build_chain_case(case, evidence=evidence)
            yield case, ids
        finally:
            case.close()
    finally:
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


_SHARED: dict[str, tuple] = {}
_SHARED_STACK = ExitStack()


def shared_synthetic_case(backend: str, folder_factory, *, db_url: str | None = None) -> tuple:
    """For test suites: one fictional case per backend and process, shared by every caller (building it
    takes seconds). ``folder_factory()`` gives a fresh folder; :func:`close_shared_cases` ends them all.
    Callers must only read it, or change nothing another reader depends on."""
    if backend not in _SHARED:
        _SHARED[backend] = _SHARED_STACK.enter_context(synthetic_case(folder_factory(), db_url=db_url))
    return _SHARED[backend]


def close_shared_cases() -> None:
    _SHARED.clear()
    _SHARED_STACK.close()
