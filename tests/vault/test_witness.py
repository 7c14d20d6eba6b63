"""Protected witnesses: identity encrypted at rest, a pseudonym everywhere, opened only with role AND key."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from dadkhah.access import SYSTEM, Forbidden, Principal, Role, operator
from dadkhah.model import Person
from dadkhah.store.audit import AuditEntry, verify_chain
from dadkhah.vault import witness as w
from dadkhah.vault.tables import WitnessIdentity, WitnessKey

IDENTITY = {"names": ["Parvaneh Tehrani", "پروانه تهرانی"], "birth": "1340", "address": "12 Example Street"}
FAST_KDF = {"time_cost": 1, "memory_cost": 8 * 1024, "parallelism": 1}


def _witness(case, key_file):
    secret = w.Secret.key_file(key_file)
    with case.session() as s:
        keyring, code = w.init_key(s, secret)
        person = w.add_protected_witness(s, keyring, identity=IDENTITY, pseudonym="W-TEST")
        return person.id, keyring, code


def test_the_identity_is_ciphertext_at_rest_and_in_the_audit_log(case, key_file):
    pid, _, _ = _witness(case, key_file)
    with case.engine.connect() as conn:
        dump = " ".join(str(v) for row in conn.execute(text("SELECT * FROM witness_identity")) for v in row)
        audit = " ".join(str(v) for row in conn.execute(text("SELECT * FROM audit_log")) for v in row)
    for secret in ("Parvaneh", "تهرانی", "Example Street"):
        assert secret not in dump and secret not in audit
    with case.reader(SYSTEM) as s:
        person = s.get(Person, pid)
        assert person.label == "Witness W-TEST"
        assert [(n.text, n.kind) for n in person.names] == [("Witness W-TEST", "pseudonym")]


def test_an_authorised_principal_with_the_key_sees_the_identity_and_the_opening_is_audited(case, key_file):
    pid, keyring, _ = _witness(case, key_file)
    with case.session() as s:
        identity = w.unmask(s, pid, operator("investigator-ana"), keyring, purpose="witness interview prep")
    assert identity["names"][0]["text"] == "Parvaneh Tehrani" and identity["address"] == "12 Example Street"
    with case.reader(SYSTEM) as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert (last.action, last.actor, last.record_id) == ("unmask", "investigator-ana", pid)
        assert verify_chain(s).ok


def test_without_the_role_or_without_the_key_only_the_pseudonym_is_shown(case, key_file):
    pid, keyring, _ = _witness(case, key_file)
    with case.session() as s:
        with pytest.raises(Forbidden):
            w.unmask(s, pid, Principal("analyst", Role.analyst), keyring, purpose="re-contact the witness")
        with pytest.raises(w.WitnessKeyError, match="locked"):
            w.unmask(s, pid, operator(), None, purpose="re-contact the witness")
        view = w.witness_view(s, pid, Principal("viewer", Role.viewer), keyring)
        assert view["pseudonym"] == "W-TEST" and "identity" not in view


def test_a_wrong_key_file_or_passphrase_is_refused_clearly(case, key_file, tmp_path):
    _witness(case, key_file)
    other = tmp_path / "other.key"
    other.write_text("ab" * 32)
    with case.reader(SYSTEM) as s:
        with pytest.raises(w.WitnessKeyError, match="wrong passphrase or key file for witness key k1"):
            w.unlock(s, w.Secret.key_file(other))
        with pytest.raises(w.WitnessKeyError, match="opened by a key file"):
            w.unlock(s, w.Secret.passphrase("correct horse battery staple"))


def test_a_passphrase_key_uses_argon2id_with_its_salt_and_costs_stored_in_the_case(case):
    secret = w.Secret.passphrase("correct horse battery staple")
    with case.session() as s:
        keyring, _ = w.init_key(s, secret, kdf_params=FAST_KDF)
        pid = w.add_protected_witness(s, keyring, identity=IDENTITY).id
    with case.session() as s:
        kdf = s.get(WitnessKey, "k1").kdf
        assert kdf["kind"] == "argon2id" and len(bytes.fromhex(kdf["salt"])) == 16 and kdf["memory_cost"] == 8192
        assert w.unmask(s, pid, operator(), w.unlock(s, secret),
                         purpose="re-contact the witness")["birth"] == "1340"
        with pytest.raises(w.WitnessKeyError, match="wrong passphrase"):
            w.unlock(s, w.Secret.passphrase("correct horse battery stapler"))


def test_a_short_passphrase_or_key_file_is_refused(tmp_path):
    with pytest.raises(w.WitnessKeyError, match="at least 12 characters"):
        w.Secret.passphrase("short")
    weak = tmp_path / "weak.key"
    weak.write_text("abcd")
    with pytest.raises(w.WitnessKeyError, match="fewer than 32 bytes"):
        w.Secret.key_file(weak)


def test_key_rotation_re_encrypts_every_identity_and_destroys_the_old_key(case, key_file, tmp_path):
    pid, old, _ = _witness(case, key_file)
    with case.reader(SYSTEM) as s:
        before = s.get(WitnessIdentity, pid).ciphertext
    new_file = tmp_path / "new.key"
    new_file.write_text("cd" * 32)
    with case.session() as s:
        new, code, n = w.rotate_key(s, old, w.Secret.key_file(new_file))
    assert n == 1 and new.key_id == "k2" and code
    with case.session() as s:
        row = s.get(WitnessIdentity, pid)
        assert row.key_id == "k2" and row.ciphertext != before
        assert s.get(WitnessKey, "k1").wrapped_key == b"" and s.get(WitnessKey, "k1").retired_at is not None
        with pytest.raises(w.WitnessKeyError):
            w.unlock(s, w.Secret.key_file(key_file))
        assert w.unmask(s, pid, operator(), w.unlock(s, w.Secret.key_file(new_file)),
                         purpose="re-contact the witness")["address"] == "12 Example Street"


def test_the_recovery_code_reopens_the_key_under_a_new_secret(case, key_file, tmp_path):
    pid, _, code = _witness(case, key_file)
    key_file.unlink()  # the key file is lost
    replacement = tmp_path / "replacement.key"
    replacement.write_text("ef" * 32)
    with case.session() as s:
        with pytest.raises(w.WitnessKeyError, match="does not open"):
            w.recover(s, "AAAA-" + code[5:], w.Secret.key_file(replacement))
    with case.session() as s:
        w.recover(s, code.lower(), w.Secret.key_file(replacement))
    with case.session() as s:
        assert w.unmask(s, pid, operator(), w.unlock(s, w.Secret.key_file(replacement)),
                         purpose="re-contact the witness")["birth"] == "1340"


def test_a_ciphertext_moved_to_another_witness_fails_its_integrity_check(case, key_file):
    secret = w.Secret.key_file(key_file)
    with case.session() as s:
        keyring, _ = w.init_key(s, secret)
        a = w.add_protected_witness(s, keyring, identity={"names": ["Witness One Realname"]}).id
        b = w.add_protected_witness(s, keyring, identity={"names": ["Witness Two Realname"]}).id
    with case.engine.begin() as conn:
        row = conn.execute(select(WitnessIdentity.nonce, WitnessIdentity.ciphertext)
                           .where(WitnessIdentity.person_id == a)).one()
        conn.execute(WitnessIdentity.__table__.update().where(WitnessIdentity.person_id == b)
                     .values(nonce=row[0], ciphertext=row[1]))
    with case.session() as s:
        with pytest.raises(w.WitnessKeyError, match="fails its integrity check"):
            w.unmask(s, b, operator(), w.unlock(s, secret), purpose="re-contact the witness")


def test_an_identity_without_a_real_name_is_refused(case, key_file):
    from dadkhah.errors import InputError

    with case.session() as s:
        keyring, _ = w.init_key(s, w.Secret.key_file(key_file))
        with pytest.raises(InputError, match="at least one real name"):
            w.add_protected_witness(s, keyring, identity={"address": "somewhere"})
        with pytest.raises(InputError, match="unknown identity fields"):
            w.add_protected_witness(s, keyring, identity={"names": ["X Y"], "shoe_size": "42"})
