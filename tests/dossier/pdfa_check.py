"""The essentials of PDF/A-3b (ISO 19005-3, level B), checked with pypdf, for tests of dossier PDFs.

veraPDF, the reference validator, cannot be installed here (it is not in the package registries
this project reaches), so this is a partial check, written from the standard's requirements and no
one else's code. What it checks, each as one sentence in the list :func:`problems` returns:

* the file: a ``%PDF-1.x`` header followed by a comment of four bytes above 127; a trailer ``/ID``; no
  ``/Encrypt``; no stream kept outside the file (``/F`` on a stream) or LZW-compressed;
* the XMP metadata: a catalog ``/Metadata`` stream, not filtered, declaring ``pdfaid:part`` 3 and
  ``pdfaid:conformance`` B, and agreeing with the document information dictionary (title, author,
  producer, creator tool, dates);
* colour: an ``/OutputIntents`` entry of subtype ``GTS_PDFA1`` whose ``/DestOutputProfile`` is an ICC
  profile (``acsp`` signature, the declared size, an RGB or CMYK space matching ``/N``);
* fonts: every font used on a page or in a form XObject (Type 3 apart) has its program embedded
  (``FontFile``, ``FontFile2`` or ``FontFile3``), and a CIDFontType2 has a ``/CIDToGIDMap``;
* actions: no JavaScript (name tree, ``/JS``, ``/S /JavaScript``) and no Launch, Sound, Movie,
  ImportData, ResetForm or Hide action anywhere; no ``/AA`` on the catalog or a page;
* annotations: none of a forbidden type (Sound, Movie, Screen, 3D), each with the Print flag set and
  Hidden, Invisible, NoView and ToggleNoView clear;
* images: no ``/Alternates``, no ``/OPI``, ``/Interpolate`` not true;
* associated files: each embedded file has ``/F``, ``/UF``, an ``/AFRelationship``, a MIME ``/Subtype``
  and is listed in an ``/AF`` array (the catalog's or a page's).

Not checked: the rest of the standard's rule set (content-stream operators and the colour spaces they
use, transparency groups, glyph widths against the font program, that an embedded subset holds every
glyph shown, XMP extension schemas, optional content, PostScript XObjects).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from xml.etree import ElementTree

import pypdf
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

ACTION_KEYS = {"/A", "/OpenAction", "/Next"}  # where an action dictionary sits (an /AA's values count as /A)
ALLOWED_ACTIONS = {"/GoTo", "/GoToR", "/GoToE", "/Thread", "/URI", "/Named", "/SubmitForm"}
ALLOWED_NAMED = {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"}
FORBIDDEN_CATALOG = ("/AA", "/NeedsRendering", "/Requirements")
FORBIDDEN_ANNOTS = {"/Sound", "/Movie", "/Screen", "/3D"}
PRINT, HIDDEN, INVISIBLE, NOVIEW, TOGGLE_NOVIEW = 4, 2, 1, 32, 256
INFO_TO_XMP = {"/Title": "dc:title", "/Author": "dc:creator", "/Subject": "dc:description",
               "/Producer": "pdf:Producer", "/Keywords": "pdf:Keywords", "/Creator": "xmp:CreatorTool",
               "/CreationDate": "xmp:CreateDate", "/ModDate": "xmp:ModifyDate"}


def problems(path: str | Path) -> list[str]:
    """Each PDF/A-3b requirement above that the file at *path* breaks, as a sentence; [] when none."""
    data = Path(path).read_bytes()
    out: list[str] = []
    if not re.match(rb"%PDF-1\.[0-7][\r\n]+%[\x80-\xff]{4}", data[:64]):
        out.append("header: not '%PDF-1.n' followed by a comment of four binary bytes")
    tail = data[data.rfind(b"%%EOF") + 5:] if b"%%EOF" in data else None
    if tail is None or tail not in (b"", b"\n", b"\r\n", b"\r"):
        out.append("trailer: data after the last %%EOF marker (or no %%EOF at all)")
    reader = pypdf.PdfReader(path)
    trailer = reader.trailer
    if "/Encrypt" in trailer:
        return [*out, "encrypted (PDF/A forbids /Encrypt)"]
    if "/ID" not in trailer:
        out.append("trailer: no /ID")
    root = trailer["/Root"].get_object()
    out += _xmp(reader, root)
    intent, icc_space = _output_intent(root)
    out += intent
    out += _walk(reader, root, icc_space)
    out += _associated_files(reader, root)
    return out


def _xmp(reader, root) -> list[str]:
    if "/Metadata" not in root:
        return ["XMP: the catalog has no /Metadata stream"]
    stream = root["/Metadata"].get_object()
    out = []
    if stream.get("/Type") != "/Metadata" or stream.get("/Subtype") != "/XML":
        out.append("XMP: the metadata stream is not /Type /Metadata, /Subtype /XML")
    xmp = stream.get_data().decode("utf-8", "replace")
    begin = re.search(r"<\?xpacket begin=[^>]*\?>", xmp)
    if begin and re.search(r"\b(bytes|encoding)\s*=", begin.group(0)):
        out.append("XMP: the packet header has a bytes or encoding attribute")
    try:
        ElementTree.fromstring(re.sub(r"<\?xpacket[^>]*\?>", "", xmp).strip())
    except ElementTree.ParseError as exc:
        out.append(f"XMP: not well-formed XML ({exc})")
    if _xmp_value(xmp, "pdfaid:part") != "3":
        out.append(f"XMP: pdfaid:part is {_xmp_value(xmp, 'pdfaid:part')!r}, not '3'")
    if _xmp_value(xmp, "pdfaid:conformance") != "B":
        out.append(f"XMP: pdfaid:conformance is {_xmp_value(xmp, 'pdfaid:conformance')!r}, not 'B'")
    info = reader.trailer.get("/Info")
    for key, prop in INFO_TO_XMP.items():
        if info is None or key not in info.get_object():
            continue
        value, in_xmp = str(info.get_object()[key]), _xmp_value(xmp, prop)
        same = (_pdf_date(value) == _xmp_date(in_xmp)) if key.endswith("Date") else value == in_xmp
        if not same:
            out.append(f"XMP: {prop} is {in_xmp!r} but the information dictionary's {key} is {value!r}")
    return out


def _xmp_value(xmp: str, prop: str) -> str | None:
    """A simple property as an attribute or an element; for dc:title and kin, the first rdf:li."""
    m = re.search(rf'{prop}\s*=\s*"([^"]*)"', xmp) or re.search(rf"<{prop}>([^<]*)</{prop}>", xmp)
    if m:
        return m.group(1).strip()
    m = re.search(rf"<{prop}>.*?<rdf:li[^>]*>([^<]*)</rdf:li>", xmp, re.S)
    return m.group(1).strip() if m else None


def _pdf_date(value: str) -> datetime | None:
    m = re.match(r"D:(\d{4})(\d\d)?(\d\d)?(\d\d)?(\d\d)?(\d\d)?([Z+-])?(\d\d)?'?(\d\d)?", value)
    if not m:
        return None
    y, mo, d, h, mi, s, sign, th, tm = m.groups()
    offset = timedelta(hours=int(th or 0), minutes=int(tm or 0)) * (-1 if sign == "-" else 1)
    return datetime(int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), int(s or 0),
                    tzinfo=timezone(offset) if sign else UTC)


def _xmp_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _output_intent(root) -> tuple[list[str], bytes | None]:
    """Problems with the PDF/A output intent, and the colour space of its ICC profile (b"RGB ", b"CMYK")."""
    intents = [i.get_object() for i in root.get("/OutputIntents", [])]
    pdfa = [i for i in intents if i.get("/S") == "/GTS_PDFA1"]
    if not pdfa:
        return ["output intent: no /OutputIntents entry of subtype /GTS_PDFA1"], None
    if "/DestOutputProfile" not in pdfa[0]:
        return ["output intent: no /DestOutputProfile (ICC profile)"], None
    profile = pdfa[0]["/DestOutputProfile"].get_object()
    icc = profile.get_data()
    if len(icc) < 128 or icc[36:40] != b"acsp":
        return ["output intent: /DestOutputProfile is not an ICC profile (no 'acsp' signature)"], None
    out = []
    if int.from_bytes(icc[:4], "big") != len(icc):
        out.append("output intent: the ICC profile's declared size is not its length")
    space = icc[16:20]
    components = {b"RGB ": 3, b"CMYK": 4, b"GRAY": 1}.get(space)
    if components is None or profile.get("/N") != components:
        out.append(f"output intent: ICC colour space {space!r} does not match /N {profile.get('/N')}")
    if icc[12:16] not in (b"mntr", b"prtr"):
        out.append(f"output intent: ICC profile class {icc[12:16]!r} is neither a monitor nor a printer profile")
    if len({i["/DestOutputProfile"].get_object().get_data() for i in intents if "/DestOutputProfile" in i}) > 1:
        out.append("output intent: more than one output intent, with different profiles")
    return out, space


def _walk(reader, root, icc_space: bytes | None) -> list[str]:
    """Every object reachable from the catalog: fonts, actions, annotations, images, streams."""
    out: list[str] = [f"catalog: {key}" for key in FORBIDDEN_CATALOG if key in root]
    names = root.get("/Names")
    if names is not None:
        for key in ("/JavaScript", "/AlternatePresentations"):
            if key in names.get_object():
                out.append(f"catalog: a {key} name tree")
    form = root.get("/AcroForm")
    if form is not None:
        form = form.get_object()
        if form.get("/NeedAppearances") is True or "/XFA" in form:
            out.append("interactive form: NeedAppearances true or XFA")
    for n, page in enumerate(reader.pages, 1):
        for key in ("/AA", "/PresSteps"):
            if key in page:
                out.append(f"page {n}: {key}")
        for a in page.get("/Annots", []) or []:
            out += [f"page {n}: {p}" for p in _annotation(a.get_object())]
    seen: set[int] = set()
    stack: list = [(None, root)]
    while stack:
        key, obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if obj.idnum in seen:
                continue
            seen.add(obj.idnum)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            out += _object(obj, action=key in ACTION_KEYS, icc_space=icc_space)
            stack.extend(("/A" if key == "/AA" else k, v) for k, v in obj.items() if k not in ("/Parent", "/P"))
        elif isinstance(obj, ArrayObject):
            stack.extend((key, v) for v in obj)
    return sorted(set(out), key=out.index)


def _annotation(a: DictionaryObject) -> list[str]:
    out, sub, flags = [], a.get("/Subtype"), int(a.get("/F", 0))
    if sub in FORBIDDEN_ANNOTS:
        out.append(f"a forbidden {sub} annotation")
    if not flags & PRINT or flags & (HIDDEN | INVISIBLE | NOVIEW | TOGGLE_NOVIEW):
        out.append(f"a {sub} annotation without the Print flag (or hidden), /F {flags}")
    rect = [float(x) for x in a.get("/Rect", [0, 0, 0, 0])]
    sized = rect[2] != rect[0] or rect[3] != rect[1]
    ap = a.get("/AP")
    if ap is None and sized and sub not in ("/Link", "/Popup"):
        out.append(f"a {sub} annotation without an appearance (/AP)")
    if ap is not None and set(ap.get_object().keys()) != {"/N"}:
        out.append(f"a {sub} annotation whose appearance has keys other than /N")
    return out


def _object(d: DictionaryObject, *, action: bool, icc_space: bytes | None) -> list[str]:
    out = []
    kind, sub = d.get("/Type"), d.get("/Subtype")
    if "/JS" in d or d.get("/S") == "/JavaScript":
        out.append("JavaScript action")
    elif (action or kind == "/Action") and "/S" in d and d["/S"] not in ALLOWED_ACTIONS:
        out.append(f"forbidden action {d['/S']}")
    if d.get("/S") == "/Named" and d.get("/N") not in ALLOWED_NAMED:
        out.append(f"forbidden named action {d.get('/N')}")
    if sub == "/Widget" and ("/A" in d or "/AA" in d):
        out.append("a widget annotation with an action (/A or /AA)")
    if kind == "/Font" or (sub in ("/Type1", "/TrueType", "/CIDFontType0", "/CIDFontType2", "/MMType1")
                           and "/BaseFont" in d):
        out += _font(d)
    if "/AS" in d and ("/OFF" in d or "/ON" in d or "/Order" in d):
        out.append("an optional content configuration with /AS")
    if isinstance(d, StreamObject):
        for key in ("/F", "/FFilter", "/FDecodeParms"):
            if key in d:
                out.append(f"a stream with {key} (data kept outside the file)")
        filters = d.get("/Filter")
        filters = list(filters) if isinstance(filters, ArrayObject) else [filters]
        if NameObject("/LZWDecode") in filters:
            out.append("an LZW-compressed stream")
        if sub == "/Image":
            if "/Alternates" in d or "/OPI" in d:
                out.append("an image with /Alternates or /OPI")
            if d.get("/Interpolate") is True or str(d.get("/Interpolate")).lower() == "true":
                out.append("an image with /Interpolate true")
            out += _device_colour(d.get("/ColorSpace"), icc_space, "an image")
    if "/ColorSpace" in d and not isinstance(d, StreamObject) and kind != "/XObject":
        cs = d["/ColorSpace"].get_object()
        if isinstance(cs, DictionaryObject):  # a resource dictionary's named colour spaces
            for v in cs.values():
                out += _device_colour(v, icc_space, "a colour space resource")
    return out


def _device_colour(cs, icc_space: bytes | None, what: str) -> list[str]:
    """A device colour space is allowed only when the output intent's profile has that space."""
    if cs is None:
        return []
    cs = cs.get_object()
    name = cs[0] if isinstance(cs, ArrayObject) and cs else cs
    needs = {"/DeviceRGB": b"RGB ", "/DeviceCMYK": b"CMYK"}.get(str(name))
    if needs is None and isinstance(cs, ArrayObject) and str(name) == "/Indexed" and len(cs) > 1:
        return _device_colour(cs[1], icc_space, what)
    if needs is not None and icc_space != needs:
        return [f"{what} in {name} without an output intent of that colour space"]
    return []


def _font(d: DictionaryObject) -> list[str]:
    sub, name = d.get("/Subtype"), str(d.get("/BaseFont", "(no name)"))
    if sub in ("/Type3", "/Type0"):  # Type 3 glyphs are content streams; Type 0 is checked via its descendant
        return []
    desc = d.get("/FontDescriptor")
    if desc is None:
        return [f"font {name}: no font descriptor, so no embedded program"]
    desc = desc.get_object()
    out = []
    if not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
        out.append(f"font {name}: not embedded")
    if sub == "/CIDFontType2" and "/CIDToGIDMap" not in d:
        out.append(f"font {name}: CIDFontType2 without /CIDToGIDMap")
    return out


def _associated_files(reader, root) -> list[str]:
    af_ids = {a.idnum for a in root.get("/AF", []) if isinstance(a, IndirectObject)}
    for page in reader.pages:
        af_ids |= {a.idnum for a in page.get("/AF", []) if isinstance(a, IndirectObject)}
    names = root.get("/Names")
    tree = names.get_object().get("/EmbeddedFiles") if names is not None else None
    out = []
    for label, ref in _name_tree(tree.get_object()) if tree is not None else []:
        spec = ref.get_object()
        for key in ("/F", "/UF", "/AFRelationship"):
            if key not in spec:
                out.append(f"embedded file {label}: no {key}")
        if isinstance(ref, IndirectObject) and ref.idnum not in af_ids:
            out.append(f"embedded file {label}: not listed in an /AF array")
        ef = spec.get("/EF", {})
        stream = ef.get("/F") if ef else None
        if stream is None:
            out.append(f"embedded file {label}: no embedded file stream")
        elif "/Subtype" not in stream.get_object():
            out.append(f"embedded file {label}: no MIME type (/Subtype)")
    return out


def _name_tree(node) -> list:
    pairs = []
    names = node.get("/Names", [])
    pairs += [(str(names[i]), names[i + 1]) for i in range(0, len(names) - 1, 2)]
    for kid in node.get("/Kids", []):
        pairs += _name_tree(kid.get_object())
    return pairs
