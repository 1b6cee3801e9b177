"""UI text: Indonesian by default and complete, English on request, catalogs that compile."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
#: The keywords `pybabel extract` uses: babel.cfg's and Babel's defaults, among them ``N_`` (services
#: mark their English messages with it where they raise them; the admin translates them).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None,
            "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2), "_lp": ((1, "c"), 2)}


def _catalog(lang):
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _extracted_ids():
    """Every msgid marked in app/ and templates/ (as babel.cfg and `pybabel extract` see them)."""
    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
    ids = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, keywords=KEYWORDS,
                                                 directory_filter=lambda d: not Path(d).name.startswith(".")
                                                 and Path(d).name != "__pycache__"):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_ui_text_is_translated(lang):
    catalog = _catalog(lang)
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog
                  if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)}
    missing = sorted(_extracted_ids() - translated)
    assert not missing, f"untranslated in {lang}: {missing[:20]}"
    assert not catalog.fuzzy


@pytest.mark.parametrize("lang", ["id", "en"])
def test_catalogs_compile(lang):
    catalog = _catalog(lang)
    errors = list(catalog.check())
    assert not errors, errors[:5]
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    assert buffer.getvalue()


def test_placeholders_survive_translation():
    import re

    for message in _catalog("id"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[0]))
        for string in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", string)) == wanted, message.id


def test_role_labels_and_dates_follow_the_language(as_admin, admin):
    from tests.helpers import text_of

    id_page = text_of(as_admin.get(f"/admin/users/{admin.id}/edit").get_data(as_text=True))
    assert "Petugas HR / resepsionis" in id_page and "Nama lengkap" in id_page
    as_admin.submit("/admin/", "/admin/language", {"lang": "en"})
    en_page = text_of(as_admin.get(f"/admin/users/{admin.id}/edit").get_data(as_text=True))
    assert "HR / front-office staff" in en_page and "Full name" in en_page and "Nama lengkap" not in en_page
