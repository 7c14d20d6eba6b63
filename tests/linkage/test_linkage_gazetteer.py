"""The gazetteer reads places as lists write them, in either script, and knows their city and province."""

import pytest

from dadkhah.linkage.gazetteer import ORIGIN_PREFERENCE, gazetteer, province, resolve


@pytest.mark.parametrize("text, kind, place_id, province_id", [
    ("Evin", "prison", "evin", "tehran"),
    ("زندان اوین", "prison", "evin", "tehran"),
    ("Evin Prison, Tehran", "prison", "evin", "tehran"),
    ("Rajai Shahr", "prison", "gohardasht", "alborz"),
    ("رجایی‌شهر", "prison", "gohardasht", "alborz"),
    ("گوهردشت", "prison", "gohardasht", "alborz"),
    ("Ghezel Hessar", "prison", "qezel-hesar", "alborz"),
    ("Mashhad Vakilabad", "prison", "vakilabad", "razavi-khorasan"),
    ("Ahvaz Karun", "prison", "karun", "khuzestan"),
    ("Shiraz Adelabad", "prison", "adelabad", "fars"),
    ("Isfahan Dastgerd", "prison", "dastgerd", "isfahan"),
    ("لعنت‌آباد", "burial_site", "khavaran", "tehran"),
    ("خاوران", "burial_site", "khavaran", "tehran"),
])
def test_prisons_and_burial_sites_are_found_in_either_script(text, kind, place_id, province_id):
    place = resolve(text)
    assert (place.kind, place.id, place.province) == (kind, place_id, province_id)


@pytest.mark.parametrize("text, city, province_id", [
    ("Tehran", "tehran", "tehran"), ("TEHRAN", "tehran", "tehran"), ("تهران", "tehran", "tehran"),
    ("Ahwaz", "ahvaz", "khuzestan"), ("اهواز", "ahvaz", "khuzestan"),
    ("Bakhtaran", "kermanshah", "kermanshah"),  # the city's name in the 1980s
    ("رضائیه", "urmia", "west-azerbaijan"),
])
def test_places_of_origin_resolve_to_a_city_and_its_province(text, city, province_id):
    place = resolve(text, ORIGIN_PREFERENCE)
    assert (place.kind, place.city, place.province) == ("city", city, province_id)
    assert province(text) == province_id


def test_a_place_the_gazetteer_does_not_know_resolves_to_nothing():
    assert resolve("Atlantis") is None and resolve("") is None and province(None) is None


def test_the_gazetteer_covers_every_province_and_each_prison_has_a_city():
    gaz = gazetteer()
    provinces = [p for (kind, _), p in gaz.places.items() if kind == "province"]
    assert len(provinces) == 31
    prisons = [p for (kind, _), p in gaz.places.items() if kind == "prison"]
    assert prisons and all(gaz.city_of(p) is not None for p in prisons)
