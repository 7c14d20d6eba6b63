"""parse_name: honorifics split off, compound given names kept together, surname affixes attached."""

import pytest
import yaml

from dadkhah.errors import InputError
from dadkhah.names import ParsedName, name_key, parse_name
from dadkhah.names.tables import DATA

HONORIFICS = yaml.safe_load((DATA / "honorifics.yaml").read_text(encoding="utf-8"))
COMPOUNDS = yaml.safe_load((DATA / "compounds.yaml").read_text(encoding="utf-8"))
AFFIXES = yaml.safe_load((DATA / "affixes.yaml").read_text(encoding="utf-8"))
ZWNJ = "\u200c"


def _spellings(where):
    for h in HONORIFICS:
        if h["where"] != where:
            continue
        for s in h["latin"]:
            yield pytest.param(s, h["canonical"], "ali", "rezaei", id=f"{where}-{s}")
        for s in h["persian"]:
            yield pytest.param(s, h["fa"], "علی", "رضایی", id=f"{where}-{s}")


def _put(where, title, given, family):
    return {"lead": f"{title} {given} {family}", "trail": f"{given} {family} {title}",
            "any": f"{given} {title} {family}"}[where]


@pytest.mark.parametrize(("title", "reported", "given", "family"), list(_spellings("lead")))
def test_each_title_before_a_name_is_split_off(title, reported, given, family):
    parsed = parse_name(_put("lead", title, given, family))
    assert (parsed.given, parsed.family, parsed.honorifics) == (given, family, (reported,))


@pytest.mark.parametrize(("title", "reported", "given", "family"), list(_spellings("trail")))
def test_each_title_after_a_name_is_split_off(title, reported, given, family):
    parsed = parse_name(_put("trail", title, given, family))
    assert (parsed.given, parsed.family, parsed.honorifics) == (given, family, (reported,))


@pytest.mark.parametrize(("title", "reported", "given", "family"), list(_spellings("any")))
def test_each_title_inside_a_name_is_split_off(title, reported, given, family):
    parsed = parse_name(_put("any", title, given, family))
    assert (parsed.given, parsed.family, parsed.honorifics) == (given, family, (reported,))


@pytest.mark.parametrize(("full", "given", "family", "honorifics"), [
    ("Seyed Ali Khamenei", "ali", "khamenei", ("seyed",)),
    ("Sayyid Ali Khamenei", "ali", "khamenei", ("seyed",)),
    ("Seyyed Ali Khamenei", "ali", "khamenei", ("seyed",)),
    ("سید علی خامنه‌ای", "علی", "خامنهای", ("سید",)),
    ("Ayatollah Seyed Ali Khamenei", "ali", "khamenei", ("ayatollah", "seyed")),
    ("آیت‌الله سید علی خامنه‌ای", "علی", "خامنهای", ("آیت‌الله", "سید")),
    ("آیت الله العظمی سید علی سیستانی", "علی", "سیستانی", ("آیت‌الله", "سید")),
    ("Hojjat ol-Eslam Ebrahim Raisi", "ebrahim", "raisi", ("hojatoleslam",)),
    ("Hojjat-ol-Eslam val-Moslemin Ali Razini", "ali", "razini", ("hojatoleslam",)),
    ("حجت الاسلام و المسلمین علی رازینی", "علی", "رازینی", ("حجت‌الاسلام",)),
    ("Haj Ghasem Soleimani", "ghasem", "soleimani", ("haj",)),
    ("Haj Agha Mohammad Rezaei", "mohammad", "rezaei", ("haj", "agha")),
    ("Dr. Mohammad Mosaddegh", "mohammad", "mosaddegh", ("dr",)),
    ("Mir Hossein Mousavi", "hossein", "mousavi", ("mir",)),
    ("Mirhossein Mousavi", "hossein", "mousavi", ("mir",)),
    ("میرحسین موسوی", "حسین", "موسوی", ("میر",)),
    ("Fatemeh Sadat Mousavi", "fatemeh", "mousavi", ("sadat",)),
    ("فاطمه‌سادات موسوی", "فاطمه", "موسوی", ("سادات",)),
    ("Karim Khan Zand", "karim", "zand", ("khan",)),
    ("شهید علی رضایی", "علی", "رضایی", ("شهید",)),
])
def test_honorifics(full, given, family, honorifics):
    parsed = parse_name(full)
    assert (parsed.given, parsed.family, parsed.honorifics) == (given, family, honorifics)


def test_a_weak_title_that_would_leave_a_single_word_is_kept_as_part_of_the_name():
    assert parse_name("Haji Rezaei").honorifics == ()
    assert parse_name("Mirza Rezaei").honorifics == ()
    assert parse_name("Ali Khan").family == "khan"


def test_a_name_that_is_nothing_but_titles_is_kept_as_written():
    assert parse_name("Seyed").given == "seyed"
    assert parse_name("Seyed").honorifics == ()


def test_said_is_a_given_name_not_the_title_seyed():
    assert parse_name("Said Emami").given == "said"
    assert parse_name("Said Emami").honorifics == ()


def test_shahidi_is_a_surname_not_the_title_shahid():
    assert parse_name("جعفر شهیدی").family == "شهیدی"


def test_a_title_in_the_family_name_slot_is_the_family_name():
    assert parse_name("Ali Sadat").family == "sadat"


@pytest.mark.parametrize(("full", "order", "given", "family"), [
    ("Mirali, Nematollah", "given-first", "nematollah", "mirali"),  # before the comma: the family name
    ("Mir-Ali, Faramarz", "given-first", "faramarz", "mirali"),
    ("Haji-Hamid, Mariam", "given-first", "mariam", "hajihamid"),
    ("Agha-Kamran, Mohamad", "given-first", "mohamad", "aghakamran"),
    ("ميرعلي نسرين", "family-first", "نسرین", "میرعلی"),  # written together in the first (family) word
    ("میرکاظم منیره", "family-first", "منیره", "میرکاظم"),
])
def test_a_weak_title_in_the_family_name_slot_is_part_of_the_surname(full, order, given, family):
    parsed = parse_name(full, order)
    assert (parsed.given, parsed.family, parsed.honorifics) == (given, family, ())


def test_a_weak_title_before_the_given_name_is_still_a_title():
    assert parse_name("Mousavi, Mir-Hossein").honorifics == ("mir",)
    assert parse_name("Mousavi, Mir-Hossein").family == "mousavi"
    assert parse_name("Mir Ali Nasrin", "family-first").honorifics == ("mir",)  # apart, not one word
    assert parse_name("Seyed Mousavi, Ali").honorifics == ("seyed",)  # a strong title goes anywhere


@pytest.mark.parametrize(("full", "given", "family"), [
    ("Mohammad Reza Rezaei", "mohammad reza", "rezaei"),
    ("Mohammad-Reza Rezaei", "mohammad reza", "rezaei"),
    ("Mohammadreza Rezaei", "mohammadreza", "rezaei"),
    ("محمدرضا رضایی", "محمدرضا", "رضایی"),
    ("محمد رضا رضایی", "محمد رضا", "رضایی"),
    (f"محمد{ZWNJ}رضا رضایی", "محمدرضا", "رضایی"),
    ("Hossein-Ali Nayyeri", "hossein ali", "nayyeri"),
    ("Gholam Hossein Mohseni Ejei", "gholam hossein", "mohseni ejei"),
    ("Ali Akbar Hashemi Rafsanjani", "ali akbar", "hashemi rafsanjani"),
    ("Abdol Karim Mousavi", "abdol karim", "mousavi"),
    ("Fatemeh Zahra Hosseini", "fatemeh zahra", "hosseini"),
])
def test_compound_given_names_stay_together(full, given, family):
    parsed = parse_name(full)
    assert (parsed.given, parsed.family) == (given, family)


def test_two_words_are_a_given_name_and_a_family_name_even_if_they_could_be_a_compound():
    assert (parse_name("Mohammad Reza").given, parse_name("Mohammad Reza").family) == ("mohammad", "reza")
    # ... and the key still equals the compound written as one word
    assert name_key("Mohammad Reza") == name_key("محمدرضا") == name_key("Mohammadreza")


def _first_elements():
    honorific_words = {s for h in HONORIFICS for s in h["latin"]}
    for entry in COMPOUNDS["first"]:
        if entry["latin"][0] not in honorific_words:
            yield pytest.param(entry["latin"][0], entry["persian"][0], id=entry["latin"][0])


@pytest.mark.parametrize(("latin", "persian"), list(_first_elements()))
def test_each_compound_first_element_joins_a_second_element(latin, persian):
    assert parse_name(f"{latin} Ali Karimi").given == f"{latin} ali"
    assert parse_name(f"{persian} علی کریمی").given == f"{persian} علی"


SECONDS = [(e["latin"][0], e["persian"][0]) for e in COMPOUNDS["second"]]


@pytest.mark.parametrize(("latin", "persian"), list(_first_elements()))
def test_a_compound_has_one_key_written_apart_hyphenated_or_joined(latin, persian):
    for s_latin, s_persian in SECONDS:
        apart = name_key(f"{latin} {s_latin} Karimi")
        assert name_key(f"{latin}-{s_latin} Karimi") == apart
        assert name_key(f"{latin}{s_latin} Karimi") == apart, f"{latin}{s_latin}"
        fa_apart = name_key(f"{persian} {s_persian} کریمی")
        assert name_key(f"{persian}{ZWNJ}{s_persian} کریمی") == fa_apart
        assert name_key(f"{persian}{s_persian} کریمی") == fa_apart, f"{persian}{s_persian}"


@pytest.mark.parametrize(("full", "family"), [
    ("Mostafa Pour-Mohammadi", "pourmohammadi"),
    ("Mostafa Pour Mohammadi", "pourmohammadi"),
    ("Mostafa Pourmohammadi", "pourmohammadi"),
    ("مصطفی پور محمدی", "پورمحمدی"),
    (f"مصطفی پور{ZWNJ}محمدی", "پورمحمدی"),
    ("Ali Hossein Zadeh", "hosseinzadeh"),
    ("Ali Hossein-Zadeh", "hosseinzadeh"),
    ("علی حسین زاده", "حسینزاده"),
    ("Mahmoud Ahmadi Nejad", "ahmadinejad"),
    ("Mahmoud Ahmadi-Nezhad", "ahmadinezhad"),
    ("محمود احمدی نژاد", "احمدینژاد"),
    ("Ali Khamene-i", "khamenei"),
    ("علی خامنه ای", "خامنهای"),
    ("Mohammad Ali Pour", "alipour"),
    ("Zhila Bani Yaghoub", "baniyaghoub"),
    ("Reza Rahimi Far", "rahimifar"),
])
def test_surname_affixes_stay_attached(full, family):
    assert parse_name(full).family == family


def _affixes(kind):
    for entry in AFFIXES[kind]:
        if entry.get("join", True) and not entry.get("bare"):
            yield pytest.param(entry["latin"][0], entry["persian"][0], id=entry["latin"][0])


@pytest.mark.parametrize(("latin", "persian"), list(_affixes("prefixes")))
def test_each_surname_prefix_has_one_key_apart_hyphenated_or_joined(latin, persian):
    apart = name_key(f"Ali {latin} Mohammadi")
    assert name_key(f"Ali {latin}-Mohammadi") == name_key(f"Ali {latin}mohammadi") == apart
    assert parse_name(f"Ali {latin} Mohammadi").family == f"{latin}mohammadi"
    assert name_key(f"علی {persian} محمدی") == name_key(f"علی {persian}{ZWNJ}محمدی") == name_key(f"علی {persian}محمدی")


@pytest.mark.parametrize(("latin", "persian"), list(_affixes("suffixes")))
def test_each_surname_suffix_has_one_key_apart_hyphenated_or_joined(latin, persian):
    apart = name_key(f"Ali Rahim {latin}")
    assert name_key(f"Ali Rahim-{latin}") == name_key(f"Ali Rahim{latin}") == apart
    assert parse_name(f"Ali Rahim {latin}").family == f"rahim{latin}"
    assert name_key(f"علی رحیم {persian}") == name_key(f"علی رحیم{ZWNJ}{persian}") == name_key(f"علی رحیم{persian}")


@pytest.mark.parametrize(("full", "order", "given", "family"), [
    ("کاظم پور مصطفی", "family-first", "مصطفی", "کاظمپور"),  # the affix after the surname ends it
    ("حسن پور مريم", "family-first", "مریم", "حسنپور"),
    ("Kazem Pour Mostafa", "family-first", "mostafa", "kazempour"),
    ("پور محمدی علی", "family-first", "علی", "پورمحمدی"),  # a surname that starts with it
    ("مصطفی پور کاظم", "given-first", "مصطفی", "پورکاظم"),  # given-first: it starts the surname
    ("مصطفی کاظم پور", "given-first", "مصطفی", "کاظمپور"),
])
def test_a_detached_affix_that_can_start_or_end_a_surname_goes_with_the_surname(full, order, given, family):
    parsed = parse_name(full, order)
    assert (parsed.given, parsed.family) == (given, family)


@pytest.mark.parametrize(("full", "order", "given", "family"), [
    ("Habib-ollah Sadeghi", "given-first", "habibollah", "sadeghi"),
    ("Nemat Allah Karimi", "given-first", "nematallah", "karimi"),
    ("حبیب الله صادقی", "given-first", "حبیبالله", "صادقی"),
    ("Sadeghi, Habib-ollah", "given-first", "habibollah", "sadeghi"),
    ("صادقی حبیب الله", "family-first", "حبیبالله", "صادقی"),
])
def test_ollah_written_apart_ends_the_given_name(full, order, given, family):
    parsed = parse_name(full, order)
    assert (parsed.given, parsed.family) == (given, family)
    assert parsed.given_key == name_key(given.replace(" ", ""))


def test_affixes_need_a_root():
    assert parse_name("Pouria Rezaei").given == "pouria"  # not Pour + ia
    assert parse_name("Jafar Rezaei").given == "jafar"  # "far" is never split off a word


@pytest.mark.parametrize(("full", "order", "given", "family"), [
    ("Rezaei Mohammad", "family-first", "mohammad", "rezaei"),
    ("Rezaei Mohammad Reza", "family-first", "mohammad reza", "rezaei"),
    ("رضایی محمدرضا", "family-first", "محمدرضا", "رضایی"),
    ("Raisi, Ebrahim", "given-first", "ebrahim", "raisi"),
    ("Raisi, Ebrahim", "family-first", "ebrahim", "raisi"),
    ("رئیسی، ابراهیم", "given-first", "ابراهیم", "رییسی"),
    ("Khamenei, Seyed Ali", "given-first", "ali", "khamenei"),
    ("Mousavi Khomeini, Ruhollah", "given-first", "ruhollah", "mousavi khomeini"),
    ("Raisi", "given-first", "raisi", ""),
    ("Raisi", "family-first", "", "raisi"),
])
def test_name_order(full, order, given, family):
    parsed = parse_name(full, order)
    assert (parsed.given, parsed.family) == (given, family)


def test_parsed_name_keeps_the_original_and_keys_its_parts():
    parsed = parse_name("Seyed Ebrahim Raisi")
    assert parsed == ParsedName(given="ebrahim", family="raisi", honorifics=("seyed",), original="Seyed Ebrahim Raisi")
    assert parsed.family_key == name_key("رئیسی")
    assert parsed.given_key == name_key("ابراهیم")


def test_punctuation_and_digits_are_not_name_words():
    assert parse_name("12. Ali (Rezaei)") == ParsedName("ali", "rezaei", (), "12. Ali (Rezaei)")
    assert parse_name("۱۲- علی رضایی").given == "علی"


def test_an_empty_name_parses_to_empty_parts():
    assert parse_name("") == ParsedName("", "", (), "")


def test_an_unknown_order_is_refused_naming_the_choices():
    with pytest.raises(InputError, match="given-first, family-first"):
        parse_name("Ali Rezaei", order="surname-first")
