"""Mapping files and mapping proposals: which column holds which canonical field."""

import pytest

from dadkhah.errors import InputError
from dadkhah.lists.mapping import Mapping, load_mapping, normalize_header, propose_mapping


def test_proposes_a_mapping_from_persian_headers():
    headers = ["ردیف", "نام", "نام خانوادگی", "نام پدر", "تاریخ اعدام", "زندان", "شهر", "ستون بی‌نام"]
    m = propose_mapping(headers)
    assert m.columns == {"given_name": "نام", "family_name": "نام خانوادگی", "father_name": "نام پدر",
                         "death_date": "تاریخ اعدام", "place_of_origin": "شهر", "detention_site": "زندان",
                         "record_id": "ردیف"}


def test_persian_headers_match_whatever_the_keyboard_and_joiner():
    # Arabic yeh/kaf and a zero-width non-joiner instead of a space
    m = propose_mapping(["نام\u200cخانوادگي", "نام پدر", "محل دفن"])
    assert m.columns == {"family_name": "نام\u200cخانوادگي", "father_name": "نام پدر", "burial_site": "محل دفن"}


def test_proposes_a_mapping_from_english_headers_including_near_spellings():
    headers = ["No.", "First Name", "Surnames", "Father's name", "Date_of_Execution", "Prison", "Hometown",
               "Sex", "Age", "Remarks"]
    m = propose_mapping(headers)
    assert m.columns == {"given_name": "First Name", "family_name": "Surnames", "father_name": "Father's name",
                         "gender": "Sex", "age": "Age", "death_date": "Date_of_Execution",
                         "place_of_origin": "Hometown", "detention_site": "Prison", "notes": "Remarks",
                         "record_id": "No."}


def test_a_lone_name_column_holding_whole_names_is_a_full_name():
    rows = [{"نام": "محمد رضایی", "زندان": "اوین"}, {"نام": "علی احمدی", "زندان": "گوهردشت"}]
    m = propose_mapping(["نام", "زندان"], rows)
    assert m.columns["full_name"] == "نام" and "given_name" not in m.columns


def test_names_written_surname_comma_given_are_proposed_family_first():
    rows = [{"Name": "Rezaei, Mohammad"}, {"Name": "Ahmadi, Ali"}, {"Name": "Karimi, Hassan"}]
    m = propose_mapping(["Name"], rows)
    assert m.columns == {"full_name": "Name"} and m.name_order == "family-first"


def test_a_mapping_file_maps_canonical_fields_to_the_lists_headers(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("full_name: نام متوفی\nfather_name: نام پدر\nname_order: family-first\n"
                    "sensitivity: public\ncalendar: jalali\n", encoding="utf-8")
    m = load_mapping(path)
    assert m.columns == {"full_name": "نام متوفی", "father_name": "نام پدر"}
    assert (m.name_order, m.sensitivity, m.calendar) == ("family-first", "public", "jalali")
    assert Mapping.from_dict(m.to_dict()) == m


@pytest.mark.parametrize("text, problem", [
    ("fullname: Name\n", "unknown key"),
    ("father_name: Father\n", "at least one of full_name"),
    ("full_name: Name\nname_order: surname-first\n", "given-first or family-first"),
    ("full_name: Name\nsensitivity: secret\n", "sensitivity"),
    ("- full_name\n", "YAML mapping"),
])
def test_a_bad_mapping_file_is_refused_with_the_reason(tmp_path, text, problem):
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_mapping(path)
    assert problem in str(err.value) and "map.yaml" in str(err.value)


def test_a_mapping_naming_a_column_the_file_lacks_is_refused():
    m = Mapping(columns={"full_name": "Name", "death_date": "Died"})
    with pytest.raises(InputError, match="death_date: 'Died'"):
        m.check(["Name", "Date of death"])


def test_header_normalisation_folds_case_punctuation_and_letter_forms():
    assert normalize_header("  Father's_Name ") == "father s name"
    assert normalize_header("نام\u200cخانوادگي") == normalize_header("نام خانوادگی")


def test_a_persian_full_name_column_written_surname_first_is_proposed_family_first():
    rows = [{"نام متوفی": v} for v in ("رضایی محمد", "احمدی حسین", "کریمی مریم", "علیزاده رضا", "حسین‌پور علی")]
    m = propose_mapping(["نام متوفی", "تاریخ دفن"], rows)
    assert m.columns["full_name"] == "نام متوفی" and m.name_order == "family-first"
    given_first = [{"name": v} for v in ("محمد رضایی", "حسین احمدی", "مریم کریمی", "علی حسینی")]
    assert propose_mapping(["name"], given_first).name_order == "given-first"
    # given names that end like surnames (Ali, Mehdi) do not make a list family-first
    assert propose_mapping(["name"], [{"name": v} for v in ("علی رضا", "مهدی کاظم", "هادی حسن")]
                           ).name_order == "given-first"


def test_headers_a_user_meets_on_press_and_cemetery_lists_are_proposed():
    m = propose_mapping(["name", "Year", "site", "note"], [{"name": "Ali Rezaei", "Year": "1988"}])
    assert m.columns == {"full_name": "name", "death_date": "Year", "detention_site": "site", "notes": "note"}


def test_a_mapping_binds_to_headers_that_differ_only_in_letter_forms_and_joiners():
    m = Mapping(columns={"full_name": "نام متوفی", "family_name": "نام خانوادگی", "death_date": "تاریخ دفن"})
    m.bind(["نام متوفي", "نام‌خانوادگی", "تاريخ دفن"])
    assert m.columns == {"full_name": "نام متوفي", "family_name": "نام‌خانوادگی", "death_date": "تاريخ دفن"}
    m.check(["نام متوفي", "نام‌خانوادگی", "تاريخ دفن"])
    with pytest.raises(InputError, match="not in the file"):
        Mapping(columns={"full_name": "نام پدر"}).bind(["نام متوفي"]).check(["نام متوفي"])
