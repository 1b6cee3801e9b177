"""Student QR cards in the admin app: list, generate/regenerate, (de)activate, bulk, print sheet and PDF."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw

from app.common import clock
from app.extensions import db
from app.qr.images import qr_modules, qr_png, qr_svg
from app.school import card_sheet
from app.school.models import SchoolClass, StudentQrCard
from app.school.services import (CardInactive, academic_year_of, assign_students, create_class, find_active_card,
                                 generate_card)
from app.system.settings import update_setting

from tests.helpers import count, text_of

YEAR = academic_year_of(clock.local_today())
CARDS = "/admin/school/cards"


@pytest.fixture
def english(as_admin):
    """The admin's UI in English (the msgids), so the tests do not depend on the catalogs being merged."""
    as_admin.submit("/admin/", "/admin/language", {"lang": "en", "next": "/admin/"})
    return as_admin


def _student(factory, name, nisn, **kw):
    return factory.user(role="siswa", name=name, nisn_nip_nik=nisn, **kw)


def _class(app, name, students, year=YEAR):
    with app.app_context():
        school_class = create_class(name=name)
        assign_students(school_class, [s.id for s in students], year)
        db.session.commit()
        return school_class.id


def _card(app, student) -> str:
    with app.app_context():
        code = generate_card(db.session.get(type(student), student.id)).qr_code
        db.session.commit()
        return code


def _cards_of(app, student_id):
    with app.app_context():
        return [(c.qr_code, c.is_active) for c in db.session.scalars(
            db.select(StudentQrCard).where(StudentQrCard.student_id == student_id).order_by(StudentQrCard.id))]


def _active(app, code):
    """find_active_card(code) as the scanner sees it: the student id, or the error class."""
    with app.app_context():
        try:
            return find_active_card(code).student_id
        except Exception as exc:  # noqa: BLE001 - the error class is the assertion
            return type(exc)


def _codes_on_sheet(body):
    return re.findall(r'<article class="id-card" data-student-id="\d+" data-code="([0-9A-F]+)"', body)


@pytest.fixture
def school(app, factory):
    """Class "X IPA 1" this year with Ani (card), Budi (no card) and Citra (inactive account, no card);
    class "XI IPS 2" with Dodi (card); Eka in X IPA 1 last year only."""
    ani = _student(factory, "Ani Lestari", "0011111111")
    budi = _student(factory, "Budi Santoso", "0022222222")
    citra = _student(factory, "Citra Dewi", "0033333333", is_active=False)
    dodi = _student(factory, "Dodi Pratama", "0044444444")
    eka = _student(factory, "Eka Putri", "0055555555")
    x_ipa = _class(app, "X IPA 1", [ani, budi, citra])
    xi_ips = _class(app, "XI IPS 2", [dodi])
    with app.app_context():
        assign_students(db.session.get(SchoolClass, x_ipa), [eka.id], YEAR - 1)
        db.session.commit()
    codes = {"ani": _card(app, ani), "dodi": _card(app, dodi)}
    return {"ani": ani, "budi": budi, "citra": citra, "dodi": dodi, "eka": eka, "x_ipa": x_ipa,
            "xi_ips": xi_ips, "codes": codes}


# --- the list ------------------------------------------------------------------------------

def test_list_shows_the_class_students_with_their_card(english, school):
    body = english.get(f"{CARDS}?class_id={school['x_ipa']}").get_data(as_text=True)
    text = text_of(body)
    assert "Ani Lestari" in text and school["codes"]["ani"] in text
    assert "Budi Santoso" in text and "No card" in text
    assert "Dodi Pratama" not in text and "Eka Putri" not in text  # other class / other year
    assert "1 student has no card yet." in text  # Budi (Citra's account is inactive)
    assert f'id="card-student-{school["budi"].id}"' in body


def test_list_filters_by_year_and_searches_name_and_nisn(english, school):
    text = text_of(english.get(f"{CARDS}?class_id={school['x_ipa']}&academic_year={YEAR - 1}").get_data(as_text=True))
    assert "Eka Putri" in text and "Ani Lestari" not in text
    text = text_of(english.get(f"{CARDS}?q=0044").get_data(as_text=True))
    assert "Dodi Pratama" in text and "Ani Lestari" not in text
    response = english.get(f"{CARDS}?q=budi", htmx=True)
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="card-list">') and "Budi Santoso" in fragment
    assert "Ani Lestari" not in fragment and "HX-Request" in response.headers["Vary"]


def test_list_is_paginated(english, factory):
    for n in range(27):
        _student(factory, f"Siswa {n:02d}", f"10{n:08d}")
    first = text_of(english.get(CARDS).get_data(as_text=True))
    assert "Siswa 00" in first and "Siswa 25" not in first and "Showing 1–25 of 27" in first
    second = text_of(english.get(f"{CARDS}?page=2").get_data(as_text=True))
    assert "Siswa 25" in second and "Siswa 26" in second and "Siswa 00" not in second


@pytest.mark.parametrize("query, status, message", [
    ("class_id=abc", 400, "“class_id” must be a whole number"),
    ("class_id=999", 404, "There is no class with id 999."),
    ("academic_year=1800", 400, "The academic year must be between 2000 and 2100."),
])
def test_list_refuses_bad_filters_clearly(english, school, query, status, message):
    response = english.get(f"{CARDS}?{query}")
    assert response.status_code == status
    assert message in text_of(response.get_data(as_text=True))


# --- generate, regenerate, deactivate, reactivate ----------------------------------------------

def test_generate_swaps_the_row_in_place(app, english, school):
    budi = school["budi"]
    url = f"{CARDS}/students/{budi.id}/generate?academic_year={YEAR}&class_id={school['x_ipa']}"
    response = english.submit(CARDS, url, htmx=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    [(code, active)] = _cards_of(app, budi.id)
    assert active and len(code) == 16
    assert body.lstrip().startswith(f'<tr id="card-student-{budi.id}"') and code in body
    assert 'name="student_id"' in body  # the class view's print checkbox stays
    assert 'hx-swap-oob="true"' in body and f"Card {code} generated for Budi Santoso." in text_of(body)
    assert _active(app, code) == budi.id


def test_regenerate_makes_the_old_card_stop_working(app, english, school):
    ani, old = school["ani"], school["codes"]["ani"]
    page = english.get(f"{CARDS}?class_id={school['x_ipa']}").get_data(as_text=True)
    assert "The old card stops working." in page  # the confirmation of "Regenerate"
    response = english.submit(CARDS, f"{CARDS}/students/{ani.id}/generate", htmx=True)
    assert response.status_code == 200
    cards = _cards_of(app, ani.id)
    assert cards[0] == (old, False) and cards[1][1] is True
    new = cards[1][0]
    assert new != old and new in response.get_data(as_text=True)
    assert _active(app, old) is CardInactive
    assert _active(app, new) == ani.id
    assert "the old card no longer works" in text_of(response.get_data(as_text=True))


def test_generate_without_htmx_redirects_back_to_the_list(app, english, school):
    response = english.submit(CARDS, f"{CARDS}/students/{school['budi'].id}/generate?class_id={school['x_ipa']}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{CARDS}?academic_year={YEAR}&class_id={school['x_ipa']}")
    assert "generated for Budi Santoso" in text_of(english.get(response.headers["Location"]).get_data(as_text=True))


def test_deactivate_and_reactivate(app, english, school):
    ani, code = school["ani"], school["codes"]["ani"]
    with app.app_context():
        card_id = db.session.scalar(db.select(StudentQrCard.id).where(StudentQrCard.qr_code == code))
    response = english.submit(CARDS, f"{CARDS}/{card_id}/deactivate", htmx=True)
    assert response.status_code == 200
    assert _active(app, code) is CardInactive
    body = response.get_data(as_text=True)
    assert "No active card" in text_of(body) and f"/cards/{card_id}/activate" in body

    response = english.submit(CARDS, f"{CARDS}/{card_id}/activate", htmx=True)
    assert response.status_code == 200 and _active(app, code) == ani.id

    # reactivating a replaced card makes the newer one stop working (one active card per student)
    newer = _card(app, ani)
    assert _active(app, code) is CardInactive
    english.submit(CARDS, f"{CARDS}/{card_id}/activate", htmx=True)
    assert _active(app, code) == ani.id and _active(app, newer) is CardInactive


def test_generate_missing_cards_for_a_class(app, english, school):
    response = english.submit(CARDS, f"{CARDS}/generate-missing",
                              {"class_id": school["x_ipa"], "academic_year": YEAR}, htmx=True)
    assert response.status_code == 200
    assert "1 new card for X IPA 1." in text_of(response.get_data(as_text=True))
    assert len(_cards_of(app, school["budi"].id)) == 1
    assert _cards_of(app, school["citra"].id) == []  # inactive account: skipped
    assert _cards_of(app, school["ani"].id) == [(school["codes"]["ani"], True)]  # kept, not regenerated
    assert _cards_of(app, school["eka"].id) == []  # last year's student
    response = english.submit(CARDS, f"{CARDS}/generate-missing", {"class_id": school["x_ipa"]})
    assert response.status_code == 303
    assert "Every student of X IPA 1 already has a card." in text_of(
        english.get(response.headers["Location"]).get_data(as_text=True))
    assert count(app, StudentQrCard) == 3


@pytest.mark.parametrize("url, data, status, message", [
    ("/cards/students/9999/generate", {}, 404, "There is no user with id 9999."),
    ("/cards/students/{admin}/generate", {}, 400, "Admin HRD is not a student."),
    ("/cards/9999/deactivate", {}, 404, None),
    ("/cards/9999/activate", {}, 404, None),
    ("/cards/students/{budi}/generate?academic_year=20x5", {}, 400, "“academic_year” must be a whole number"),
    ("/cards/generate-missing", {}, 400, "Choose a class"),
    ("/cards/generate-missing", {"class_id": "9999"}, 404, "There is no class with id 9999."),
    ("/cards/generate-missing", {"class_id": "{x_ipa}", "academic_year": "3000"}, 400, "between 2000 and 2100"),
])
def test_bad_input_is_refused_and_changes_nothing(app, english, school, admin, url, data, status, message):
    ids = {"admin": admin.id, "budi": school["budi"].id, "x_ipa": school["x_ipa"]}
    data = {k: v.format(**ids) for k, v in data.items()}
    response = english.submit(CARDS, "/admin/school" + url.format(**ids), data)
    assert response.status_code == status
    if message:
        assert message in text_of(response.get_data(as_text=True))
    assert count(app, StudentQrCard) == 2
    assert count(app, StudentQrCard, StudentQrCard.is_active.is_(True)) == 2


def test_every_card_action_needs_a_csrf_token(app, as_admin, school):
    budi = school["budi"]
    for url, data in ((f"{CARDS}/students/{budi.id}/generate", {}), (f"{CARDS}/1/deactivate", {}),
                      (f"{CARDS}/generate-missing", {"class_id": school["x_ipa"]})):
        assert as_admin.client.post(url, data=data).status_code == 400
        assert as_admin.client.post(url, data={**data, "csrf_token": "forged"}).status_code == 400
    assert count(app, StudentQrCard) == 2 and _active(app, school["codes"]["ani"]) == school["ani"].id


def test_petugas_may_look_and_print_but_not_change_cards(app, as_petugas, school):
    page = as_petugas.get(f"{CARDS}?class_id={school['x_ipa']}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Ani Lestari" in body and "/generate" not in body and "/deactivate" not in body
    with app.app_context():
        card_id = db.session.scalar(db.select(StudentQrCard.id).where(StudentQrCard.qr_code == school["codes"]["ani"]))
    for url, data in ((f"{CARDS}/students/{school['budi'].id}/generate", {}),
                      (f"{CARDS}/{card_id}/deactivate", {}), (f"{CARDS}/{card_id}/activate", {}),
                      (f"{CARDS}/generate-missing", {"class_id": school["x_ipa"]})):
        assert as_petugas.submit(CARDS, url, data).status_code == 403, url
    assert count(app, StudentQrCard) == 2 and _active(app, school["codes"]["ani"]) == school["ani"].id
    assert as_petugas.get(f"{CARDS}/print?class_id={school['x_ipa']}").status_code == 200
    assert as_petugas.get(f"/admin/school/cards.pdf?class_id={school['x_ipa']}").status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(app, anon, school):
    assert anon.get(CARDS).status_code == 302
    assert anon.get(f"{CARDS}/print?class_id={school['x_ipa']}").status_code == 302
    assert anon.get(f"/admin/school/cards.pdf?class_id={school['x_ipa']}").status_code == 302
    response = anon.submit(CARDS.replace("school/cards", "login"), f"{CARDS}/students/{school['budi'].id}/generate")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert count(app, StudentQrCard) == 2


# --- the print sheet --------------------------------------------------------------------------

def test_print_sheet_has_exactly_the_active_cards_of_the_class(app, english, school):
    response = english.get(f"{CARDS}/print?class_id={school['x_ipa']}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert _codes_on_sheet(body) == [school["codes"]["ani"]]
    assert "@page { size: A4;" in body and "data-print" in body
    assert "/admin/school/cards.pdf?class_id=" in body
    missing = re.search(r'<div class="flash flash--info" role="status" id="sheet-missing">(.*?)</div>\s*</div>',
                        body, re.S).group(1)
    assert "Budi Santoso" in missing and "Citra Dewi" in missing and "Ani Lestari" not in missing
    assert "Generate their cards on the card list" in missing
    text = text_of(body)
    assert "X IPA 1 · " + f"{YEAR}/{YEAR + 1}" in text and "0011111111" in text and "Dodi" not in text
    assert "The school name is not set" in text
    with app.app_context():
        update_setting("school_name", "SMA Negeri 1 Bandung")
        db.session.commit()
    text = text_of(english.get(f"{CARDS}/print?class_id={school['x_ipa']}").get_data(as_text=True))
    assert "SMA Negeri 1 Bandung" in text and "The school name is not set" not in text

    # a deactivated card is not printed; its student is listed instead
    with app.app_context():
        card = db.session.scalar(db.select(StudentQrCard).where(StudentQrCard.qr_code == school["codes"]["ani"]))
        card.is_active = False
        db.session.commit()
    body = english.get(f"{CARDS}/print?class_id={school['x_ipa']}").get_data(as_text=True)
    assert _codes_on_sheet(body) == [] and "nothing to print" in text_of(body)
    assert "data-print" not in body


def test_print_sheet_qr_is_the_card_code(app, english, school):
    code = school["codes"]["ani"]
    body = english.get(f"{CARDS}/print?class_id={school['x_ipa']}").get_data(as_text=True)
    svg = re.search(r'<div class="id-card-qr"[^>]*>(<svg.*?</svg>)</div>', body, re.S).group(1)
    assert svg == str(qr_svg(code, error="q", css_class="card-qr", title=code))
    assert 'viewBox="0 0 29 29"' in svg  # version 1 (21 modules) + 4-module quiet zone each side
    # the same symbol, rasterised by segno, decodes to the code
    import zxingcpp

    [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(code, error="q", scale=8))))
    assert result.text == code


def test_print_sheet_of_chosen_students_and_page_breaks(app, english, factory):
    students = [_student(factory, f"Siswa {n:02d}", f"20{n:08d}") for n in range(11)]
    class_id = _class(app, "XII MIPA 3", students)
    codes = [_card(app, s) for s in students]
    body = english.get(f"{CARDS}/print?class_id={class_id}&academic_year={YEAR}").get_data(as_text=True)
    assert _codes_on_sheet(body) == codes  # by name
    assert body.count('<section class="sheet-page"') == 2
    assert "11 cards on 2 A4 pages." in text_of(body)
    body = english.get(f"{CARDS}/print?class_id={class_id}&student_id={students[3].id}&student_id={students[1].id}"
                       ).get_data(as_text=True)
    assert _codes_on_sheet(body) == [codes[1], codes[3]]
    assert f"student_id={students[3].id}" in body  # the PDF link keeps the choice


@pytest.mark.parametrize("query, status, message", [
    ("", 400, "Choose a class"),
    ("class_id=9999", 404, "There is no class with id 9999."),
    ("class_id={x_ipa}&academic_year=abc", 400, "“academic_year” must be a whole number"),
    ("class_id={x_ipa}&student_id=9999", 404, "There is no user with id 9999."),
    ("class_id={x_ipa}&student_id={admin}", 400, "Admin HRD is not a student."),
    ("class_id={x_ipa}&student_id={dodi}", 400, "Dodi Pratama is not in class X IPA 1 in"),
    ("class_id={x_ipa}&student_id=x", 400, "“student_id” must be a whole number"),
])
def test_print_and_pdf_refuse_bad_parameters(english, school, admin, query, status, message):
    query = query.format(x_ipa=school["x_ipa"], admin=admin.id, dodi=school["dodi"].id)
    for url in (f"{CARDS}/print?{query}", f"/admin/school/cards.pdf?{query}"):
        response = english.get(url)
        assert response.status_code == status, url
        assert message in text_of(response.get_data(as_text=True)), url


# --- the PDF ------------------------------------------------------------------------------------

def _pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def test_pdf_download(app, english, factory):
    students = [_student(factory, f"Siswa {n:02d}", f"30{n:08d}") for n in range(11)]
    class_id = _class(app, "X IPA 1 / \"Unggulan\"", students)
    for s in students:
        _card(app, s)
    response = english.get(f"/admin/school/cards.pdf?class_id={class_id}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="kartu-x-ipa-1-unggulan.pdf"'
    assert response.data.startswith(b"%PDF-") and response.data.rstrip().endswith(b"%%EOF")
    assert _pdf_pages(response.data) == 2
    with app.app_context():
        db.session.execute(db.update(StudentQrCard).where(StudentQrCard.student_id == students[0].id)
                           .values(is_active=False))
        db.session.commit()
    assert _pdf_pages(english.get(f"/admin/school/cards.pdf?class_id={class_id}").data) == 1


def test_pdf_of_a_class_without_active_cards_is_refused(english, school):
    response = english.get(f"/admin/school/cards.pdf?class_id={school['xi_ips']}&academic_year={YEAR - 1}")
    assert response.status_code == 404
    assert "nothing to print" in text_of(response.get_data(as_text=True))


def test_pdf_without_the_dejavu_font_falls_back_to_latin1(app, english, factory, monkeypatch):
    monkeypatch.setattr(card_sheet, "FONT_FILES", [("/nonexistent/Regular.ttf", "/nonexistent/Bold.ttf")])
    student = _student(factory, "Zoë Łukasiewicz 李小龙 “Ωmega”", "0099999999")
    class_id = _class(app, "Kelas Ü", [student])
    _card(app, student)
    response = english.get(f"/admin/school/cards.pdf?class_id={class_id}")
    assert response.status_code == 200 and _pdf_pages(response.data) == 1
    assert b"/Helvetica" in response.data and b"FontFile2" not in response.data
    assert response.headers["Content-Disposition"] == 'attachment; filename="kartu-kelas-u.pdf"'
    assert card_sheet.latin1_text("Zoë Łukasiewicz 李 “Ω”") == 'Zoë Lukasiewicz ? "?"'
    assert english.get(f"{CARDS}/print?class_id={class_id}").status_code == 200


# --- layout and QR helpers ---------------------------------------------------------------------------

def test_card_geometry_is_id1_on_a4():
    assert (card_sheet.CARD_W, card_sheet.CARD_H) == (85.6, 54.0)
    assert card_sheet.card_position(0) == (0, 19.4, 13.5)
    assert card_sheet.card_position(9) == (0, 105.0, 229.5)
    assert card_sheet.card_position(10) == (1, 19.4, 13.5)
    assert card_sheet.page_count(11) == 2 and card_sheet.page_count(10) == 1
    qr_x, qr_y, qr_w, qr_h = card_sheet.BOX["qr"]
    assert qr_w == qr_h >= 30 and qr_x + qr_w <= card_sheet.CARD_W and qr_y + qr_h <= card_sheet.CARD_H
    assert qr_w * 21 / 29 >= 25  # the symbol itself (version 1) is at least 25 mm wide


def test_long_names_shrink_and_wrap_inside_their_box():
    short = card_sheet.card_face(student_id=1, card_id=1, code="A", name="Ani", nisn="1", school="SMA", class_line="X")
    assert short.name.lines == ("Ani",) and short.name.size == card_sheet.NAME_SIZES[0]
    name = "Raden Mas Muhammad Rizky Pratama Putra Wijayakusuma Adinegoro Sastrowardoyo"
    face = card_sheet.card_face(student_id=1, card_id=1, code="A", name=name, nisn="1", school="SMA", class_line="X")
    assert face.name.size < card_sheet.NAME_SIZES[0] and 2 <= len(face.name.lines) <= 3
    assert " ".join(face.name.lines).rstrip("…").split() == name.split()[:len(" ".join(face.name.lines).split())]
    _x, _y, width, height = card_sheet.BOX["name"]
    measure = card_sheet._measure
    assert all(measure(line, face.name.size, True) <= width for line in face.name.lines)
    assert len(face.name.lines) * face.name.size * card_sheet.PT * card_sheet.LINE_HEIGHT <= height
    huge = card_sheet.card_face(student_id=1, card_id=1, code="A", name="W" * 200, nisn="1", school="S", class_line="X")
    assert huge.name.cut and huge.name.lines[-1].endswith("…")


def test_qr_modules_draw_a_symbol_that_decodes():
    import zxingcpp

    code = "0123456789ABCDEF"
    modules = qr_modules(code, error="q")
    assert modules.size == 29
    scale = 8
    image = Image.new("L", (modules.size * scale, modules.size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, length in modules.runs:
        draw.rectangle([x * scale, y * scale, (x + length) * scale - 1, (y + 1) * scale - 1], fill=0)
    [result] = zxingcpp.read_barcodes(image)
    assert result.text == code


def test_qr_svg_scales_with_css_and_refuses_bad_input():
    svg = str(qr_svg("HELLO", title="<x>"))
    assert svg.startswith("<svg ") and "viewBox=" in svg and "width=" not in svg.split(">")[0]
    assert "&lt;x&gt;" in svg
    with pytest.raises(ValueError):
        qr_svg("")
    with pytest.raises(ValueError):
        qr_svg("x", error="z")
    with pytest.raises(ValueError):
        qr_svg("x" * 5000)
