"""Helpers for the web tests: users of every role, and logging a test client in."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi.testclient import TestClient

from dadkhah.access import SYSTEM

PASSWORD = "correct horse battery"
ROLES = ("admin", "investigator", "reviewer", "analyst", "viewer")


@dataclass
class Web:
    case: object
    app: object
    tokens: dict[str, str]

    def client(self, role: str | None = None, *, raise_errors: bool = True) -> TestClient:
        """A browser-like client, logged in as the user of ``role`` (None: anonymous)."""
        c = TestClient(self.app, raise_server_exceptions=raise_errors)
        if role:
            login(c, role)
        return c

    def api(self, role: str | None = None, *, raise_errors: bool = True) -> TestClient:
        """A script-like client sending the API token of ``role`` (None: no token)."""
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return TestClient(self.app, headers=headers, raise_server_exceptions=raise_errors)


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token a page embeds for this client."""
    html = client.get(path).text
    m = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(r'name="csrf-token" content="([^"]+)"',
                                                                          html)
    assert m, f"no CSRF token on {path}"
    return m.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD):
    token = csrf_of(client)
    r = client.post("/login", data={"name": name, "password": password, "csrf_token": token, "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    return r


# A small case with records at every sensitivity. The CANARY strings must never reach a caller below
# the level of the record that holds them.
CANARY_CONFIDENTIAL = "Zorbeh Canarynia"  # a confidential person's name
CANARY_RESTRICTED = "Restrictedeh Hiddenpour"  # a restricted person's name
CANARY_CONF_SOURCE = "Kanari confidential memo"  # a confidential source's title
CANARY_CONF_NAME_FORM = "Pseudo Canaryform"  # a confidential alias of a public person
CANARY_CONF_CLAIM = "canaryclaim whispered figure"  # the statement of a confidential claim
CANARY_WITNESS = "Sealedeh Witnessnameh"  # a protected witness's real name: no page ever shows it


def seed(case, witness_key: str | None = None) -> dict:
    """Sources, people (Persian and Latin names), places with coordinates, dated events, claims; with
    ``witness_key`` (a key file), a protected witness whose sealed real name is CANARY_WITNESS."""
    from dadkhah import records
    from dadkhah.claims.service import add_claim

    ids: dict[str, str] = {}
    with case.session(actor="seed") as s:
        src = records.add_source(s, source_type="report", title="Amnesty International report", reliability="A",
                                 credibility=2, date="2018-12-04")
        src2 = records.add_source(s, source_type="report", title="Survivor memoir", reliability="C", credibility=3)
        conf_src = records.add_source(s, source_type="report", title=CANARY_CONF_SOURCE, sensitivity="confidential")
        evin = records.add_place(s, place_type="prison", names=["Evin prison", "زندان اوین"], latitude=35.796,
                                 longitude=51.387)
        khavaran = records.add_place(s, place_type="mass_grave", names=["Khavaran", "خاوران"], latitude=35.61,
                                     longitude=51.62)
        victim = records.add_person(s, names=["محمد رضایی", "Mohammad Rezaei",
                                              {"text": CANARY_CONF_NAME_FORM, "kind": "alias",
                                               "sensitivity": "confidential"}], birth="1340")
        secret = records.add_person(s, names=[CANARY_CONFIDENTIAL], sensitivity="confidential")
        hidden = records.add_person(s, names=[CANARY_RESTRICTED], sensitivity="restricted")
        org = records.add_organization(s, org_type="commission", names=["Death commission", "هیئت مرگ"])
        execs = records.add_event(s, event_type="execution", label="Executions at Evin", date="1367/05/08",
                                  place_id=evin.id)
        burial = records.add_event(s, event_type="burial", label="Burials at Khavaran", date="August 1988",
                                   place_id=khavaran.id)
        records.add_participation(s, event_id=execs.id, participant_id=victim.id, role="victim")
        records.add_participation(s, event_id=execs.id, participant_id=secret.id, role="witness",
                                  sensitivity="confidential")
        records.add_membership(s, member_id=hidden.id, organization_id=org.id, role="member",
                               sensitivity="restricted")
        add_claim(s, subject_id=victim.id, predicate="fate", value_text="executed", statement="He was executed.",
                  citations=[{"source_id": src.id, "quotation": "executed in the summer of 1988", "locator": "p. 12"}])
        add_claim(s, subject_id=execs.id, predicate="death_toll", value_low=2800, value_high=5000,
                  citations=[{"source_id": src.id, "quotation": "thousands"}])
        add_claim(s, subject_id=execs.id, predicate="death_toll", value_low=30000, value_high=30000,
                  citations=[{"source_id": src2.id, "quotation": "30,000"}])
        add_claim(s, subject_id=victim.id, predicate="statement", statement=CANARY_CONF_CLAIM,
                  sensitivity="confidential", citations=[{"source_id": conf_src.id}])
        add_claim(s, subject_id=victim.id, predicate="participated", object_id=secret.id,
                  statement="Seen together in ward 2.", sensitivity="confidential",
                  citations=[{"source_id": src2.id}])
        # public records that point at hidden ones: the pointer must not carry the hidden name along
        add_claim(s, subject_id=victim.id, predicate="participated", object_id=secret.id,
                  statement="Named by a fellow prisoner.", citations=[{"source_id": src.id}])
        records.add_participation(s, event_id=burial.id, participant_id=secret.id, role="witness")
        records.add_membership(s, member_id=hidden.id, organization_id=org.id, role="official")
        if witness_key:
            from dadkhah.vault import witness as w
            from dadkhah.vault.testimony import add_testimony

            keyring, _ = w.init_key(s, w.Secret.key_file(witness_key))
            protected = w.add_protected_witness(s, keyring, identity={"names": [CANARY_WITNESS, "سیلده شاهدنامه"],
                                                                       "address": "12 Canary Lane"})
            add_testimony(s, witness_id=protected.id, transcript="I saw the trucks leave Evin at night.",
                          keyring=keyring)
            ids["witness"] = protected.id
        ids.update(source=src.id, source2=src2.id, conf_source=conf_src.id, evin=evin.id, khavaran=khavaran.id,
                   victim=victim.id, secret=secret.id, hidden=hidden.id, org=org.id, execs=execs.id,
                   burial=burial.id)
    return ids


def two_lists(seed: int = 7) -> tuple[str, str]:
    """Two victim lists (CSV) sharing 20 people, some under other spellings, birth years or fathers' names,
    so the linkage model leaves pairs it is unsure about for a reviewer."""
    import random

    given = ["Hossein", "Reza", "Ali", "Mohammad", "Maryam", "Zahra", "Fatemeh", "Mehdi", "Hassan", "Parvin",
             "Mahmoud", "Akbar", "Shirin", "Nasrin", "Javad", "Saeed"]
    family = ["Karimi", "Ahmadi", "Hosseini", "Rahimi", "Rezaei", "Moradi", "Jafari", "Sadeghi", "Mohammadi",
              "Kazemi", "Ebrahimi", "Ghasemi", "Naderi", "Taheri"]
    fathers = ["Ali", "Hassan", "Jafar", "Mahmoud", "Abbas", "Ahmad", "Mostafa", "Karim"]
    prisons = ["Evin", "Gohardasht", "Qezel Hesar", "Dizel Abad"]
    variant = {"Hossein": "Hosein", "Mohammad": "Mohamad", "Rezaei": "Rezaee", "Hosseini": "Hoseini",
               "Fatemeh": "Fatemah", "Mehdi": "Mahdi", "Saeed": "Said"}
    rng = random.Random(seed)
    people = [(rng.choice(given), rng.choice(family), rng.choice(fathers), rng.randint(1950, 1968),
               rng.choice(prisons)) for _ in range(40)]
    header = "name,father,birth_year,prison"
    a = [header] + [f"{g} {f},{fa},{y},{p}" for g, f, fa, y, p in people[:30]]
    b = [header]
    for i, (g, f, fa, y, p) in enumerate(people[10:40]):
        if i % 4 == 1:
            g, f = variant.get(g, g), variant.get(f, f)
        elif i % 4 == 2:
            y += 1
        elif i % 4 == 3:
            fa = rng.choice(fathers)
        b.append(f"{g} {f},{fa},{y},{p}")
    return "\n".join(a) + "\n", "\n".join(b) + "\n"


def linked_lists(case, folder) -> None:
    """Import the two lists and link them, so pairs wait for review."""
    from dadkhah.linkage.service import run_linkage
    from dadkhah.lists.importer import import_list

    for name, text in zip(("list-a", "list-b"), two_lists(), strict=True):
        path = folder / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        import_list(case, path, name, actor="e2e")
    run_linkage(case, actor="e2e", principal=SYSTEM)
