"""List-record fields for the linkage tests: every canonical field, empty unless given."""


def fields(**kw):
    base = {"full_name": None, "given": None, "family": None, "father": None, "gender": None, "birth": None,
            "death": None, "place_of_origin": None, "detention_site": None, "burial_site": None, "age": None}
    base.update(kw)
    return base


def day(iso: str) -> dict:
    return {"text": iso, "low": iso, "high": iso}
