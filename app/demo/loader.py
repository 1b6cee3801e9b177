"""Demo data for the embedded default (``flask demo load``); idempotent.

Each object is looked up by its natural key (office code, NPP, email, slug,
platform, schedule name) and created only if missing, so running the command
twice changes nothing.  The accounts are listed in the README.
"""
from __future__ import annotations

from datetime import timedelta

from ..accounts.models import User
from ..accounts.services import create_user, update_user
from .attendance import load_history
from .roll_calls import load_roll_calls
from ..clinic.models import Patient, Procedure
from ..clinic.services import create_patient, record_procedure, validate_procedure
from ..common import clock
from ..common.months import month_before, shift_month
from ..departments.models import Department
from ..departments.services import create_department
from ..extensions import db
from ..kiosk.models import Kiosk
from ..kiosk.services import create_kiosk
from ..places.models import Office
from ..places.services import create_office
from ..posts.models import Post
from ..posts.services import create_post, slugify
from ..schedules.holidays import import_year
from ..schedules.models import RosterEntry, ShiftPattern, WorkSchedule
from ..schedules.rosters import apply_pattern, create_pattern
from ..schedules.services import create_schedule
from ..school.models import ClassEnrollment, SchoolClass, StudentQrCard
from ..school.services import academic_year_of, assign_students, create_class, generate_card
from ..system.models import AppVersion
from ..system.services import save_app_version

DEMO_PASSWORD = "hadir-demo-2026"
#: Who the audit trail names for what the demo loader creates.
DEMO_ACTOR = "flask demo load"

OFFICES = [
    dict(code="0001", name="Kantor Pusat Jakarta", latitude=-6.2088, longitude=106.8456, radius_m=100,
         address="Jl. Jend. Sudirman Kav. 1, Jakarta Pusat"),
    dict(code="0002", name="Kantor Cabang Bandung", latitude=-6.9175, longitude=107.6191, radius_m=150,
         address="Jl. Asia Afrika No. 8, Bandung"),
]

SCHEDULES = [
    dict(name="Jam Kerja Normal", check_in_start="07:00:00", check_in_end="09:00:00",
         check_out_start="16:00:00", check_out_end="18:00:00", late_after="08:00:00", is_active=True,
         grace_minutes=5, overtime_threshold_minutes=30, overtime_auto_approve_minutes=60),
    dict(name="Jam Kerja Ramadhan", check_in_start="07:30:00", check_in_end="09:00:00",
         check_out_start="15:00:00", check_out_end="17:00:00", late_after="08:00:00", is_active=False),
]

USERS = [
    dict(name="Admin HRD", role="admin", email="admin@hadir.test", npp="90001", office="0001", nisn_nip_nik="5001"),
    dict(name="Petugas HR", role="petugas", email="petugas@hadir.test", npp="90002", office="0001"),
    dict(name="Andi Pratama", role="pegawai", email="andi@hadir.test", npp="10001", office="0001"),
    dict(name="Siti Rahmawati", role="pegawai", email="siti@hadir.test", npp="10002", office="0001"),
    dict(name="Budi Santoso", role="pegawai", email="budi@hadir.test", npp="10003", office="0001"),
    dict(name="Dewi Lestari", role="pegawai", email="dewi@hadir.test", npp="10004", office="0002"),
    dict(name="Rudi Hartono", role="pegawai", email="rudi@hadir.test", npp="10005", office="0002"),
    # The school (contract 002): a principal, a homeroom teacher and two students of class X IPA 1.
    dict(name="Hj. Sri Wahyuni", role="kepsek", email="kepsek@hadir.test", npp=None, office="0001", nisn_nip_nik="4001"),
    dict(name="Budi Setiawan", role="guru", email="guru@hadir.test", npp=None, office="0001", nisn_nip_nik="2001"),
    dict(name="Andi Saputra", role="siswa", email=None, npp=None, office="0001", nisn_nip_nik="1001"),
    dict(name="Citra Dewi", role="siswa", email=None, npp=None, office="0001", nisn_nip_nik="1002"),
    dict(name="dr. Rina Wulandari", role="dokter", email="dokter@hadir.test", npp="30001", office="0001"),
    dict(name="Bambang Prasetyo", role="paramedis", email="paramedis@hadir.test", npp="30002", office="0001"),
]

#: The clinic's demo patients (by medical-record number) and procedures:
#: (patient, performer, procedure, fee, service-fee share, days ago, approved?).
PATIENTS = [
    dict(record_number="RM-000001", name="Siti Aminah", sex="female", address="Jl. Merdeka No. 1, Jakarta"),
    dict(record_number="RM-000002", name="Agus Salim", sex="male", address="Jl. Kenanga No. 7, Jakarta"),
    dict(record_number="RM-000003", name="Dewi Anggraini", sex="female", address="Jl. Melati No. 3, Depok"),
]
PROCEDURES = [
    ("RM-000001", "dr. Rina Wulandari", "Konsultasi umum", 150_000, 50_000, 3, True),
    ("RM-000002", "Bambang Prasetyo", "Jahit luka (hecting)", 350_000, 105_000, 2, False),
    ("RM-000003", "dr. Rina Wulandari", "Nebulizer", 120_000, 36_000, 1, False),
    ("RM-000001", "Bambang Prasetyo", "Pemasangan infus", 250_000, 75_000, 0, False),
]

DEMO_CLASS = "X IPA 1"

#: Departments (code, name, parent) and who belongs where with which position (jabatan).
DEPARTMENTS = [("SDM", "Sumber Daya Manusia", None), ("OPS", "Operasional", None),
               ("KLINIK", "Klinik Pratama", None), ("SEKOLAH", "Sekolah", None)]
MEMBERS = {
    "Admin HRD": ("SDM", "Kepala SDM"), "Petugas HR": ("SDM", "Staf SDM"),
    "Andi Pratama": ("OPS", "Staf Operasional"), "Siti Rahmawati": ("OPS", "Staf Operasional"),
    "Budi Santoso": ("OPS", "Staf Gudang"), "Dewi Lestari": ("OPS", "Staf Cabang"),
    "Rudi Hartono": ("OPS", "Staf Cabang"),
    "dr. Rina Wulandari": ("KLINIK", "Dokter Umum"), "Bambang Prasetyo": ("KLINIK", "Perawat Pelaksana"),
    "Hj. Sri Wahyuni": ("SEKOLAH", "Kepala Sekolah"), "Budi Setiawan": ("SEKOLAH", "Guru"),
}
#: The clinic's shifts (every day of the week; roster cells P / S / M) and their rotation.
SHIFTS = [
    dict(name="Shift Pagi", code="P", color="#f9a825", check_in_start="06:30", check_in_end="08:00",
         late_after="07:00", check_out_start="14:00", check_out_end="15:30"),
    dict(name="Shift Siang", code="S", color="#1e88e5", check_in_start="13:30", check_in_end="15:00",
         late_after="14:00", check_out_start="21:00", check_out_end="22:30"),
    dict(name="Shift Malam", code="M", color="#5e35b1", check_in_start="20:30", check_in_end="22:00",
         late_after="21:00", check_out_start="07:00", check_out_end="08:30"),
]
CLINIC_PATTERN = ("Rotasi Klinik", ("P", "P", "S", "S", "M", "M", None, None))

POSTS = [
    dict(title="Pengumuman Libur Tahun Baru", category="announcement", is_featured=True, is_pinned=True,
         excerpt="Diberitahukan kepada seluruh karyawan bahwa kantor libur pada 1 Januari.",
         content="<p>Dengan hormat, diberitahukan kepada seluruh karyawan bahwa kantor libur pada 1 Januari.</p>"),
    dict(title="Update Aplikasi Absensi v2.0", category="news", is_featured=True, is_pinned=False,
         excerpt="Versi terbaru aplikasi absensi sudah tersedia di Play Store dan App Store.",
         content="<p>Versi 2.0 membawa absensi lebih cepat dan notifikasi pengingat.</p>"),
    dict(title="Donor Darah Bersama PMI", category="event", is_featured=False, is_pinned=False,
         excerpt="Kegiatan donor darah di lobi kantor pusat, Jumat pukul 09.00.",
         content="<p>Mari berpartisipasi dalam donor darah bersama PMI.</p>"),
]

VERSIONS = [
    dict(platform="android", version_code="2.1.0", build_number=20, min_version_code="2.0.0", min_build_number=15,
         store_url="https://play.google.com/store/apps/details?id=com.app.absensi",
         changelog="- Fitur absensi baru\n- Perbaikan bug", update_message="Versi baru tersedia dengan fitur-fitur terbaru!"),
    dict(platform="ios", version_code="2.1.0", build_number=20, min_version_code="2.0.0", min_build_number=15,
         store_url="https://apps.apple.com/app/id000000000",
         changelog="- Fitur absensi baru\n- Perbaikan bug", update_message="Versi baru tersedia dengan fitur-fitur terbaru!"),
]


def _demo_class(users: dict, created: dict) -> SchoolClass:
    """Class X IPA 1 with its homeroom teacher, both students enrolled this academic year, and their cards."""
    school_class = db.session.scalar(db.select(SchoolClass).filter_by(name=DEMO_CLASS))
    if school_class is None:
        school_class = create_class(name=DEMO_CLASS, homeroom_teacher_id=users["Budi Setiawan"].id, actor=DEMO_ACTOR)
        created["classes"] += 1
    students = [users["Andi Saputra"], users["Citra Dewi"]]
    year = academic_year_of(clock.local_today())
    enrolled = set(db.session.scalars(db.select(ClassEnrollment.student_id).filter_by(academic_year=year)))
    missing = [s.id for s in students if s.id not in enrolled]
    if missing:
        assign_students(school_class, missing, year, actor=DEMO_ACTOR)
    for student in students:
        if db.session.scalar(db.select(StudentQrCard.id).filter_by(student_id=student.id, is_active=True)) is None:
            generate_card(student, actor=DEMO_ACTOR)
    return school_class


def _demo_clinic(users: dict, admin: User, created: dict) -> None:
    """The clinic's demo patients, and their procedures the first time (one approved, the
    others waiting in the review inbox; this month's service fees come from them)."""
    patients = {}
    for spec in PATIENTS:
        patient = db.session.scalar(db.select(Patient).filter_by(record_number=spec["record_number"]))
        if patient is None:
            patient = create_patient(**spec, actor=DEMO_ACTOR)
            created["patients"] += 1
        patients[spec["record_number"]] = patient
    if db.session.scalar(db.select(Procedure.id).where(Procedure.patient_id.in_(p.id for p in patients.values()))):
        return
    for record_number, performer, name, fee, share, days_ago, approved in PROCEDURES:
        performed_at = clock.now() - timedelta(days=days_ago, hours=1)
        with clock.at(performed_at + timedelta(minutes=25)):   # written down just after
            procedure = record_procedure(patients[record_number], users[performer], name=name, fee=fee,
                                         service_fee_share=share, performed_at=performed_at)
        if approved:   # validated a couple of hours after it was done
            with clock.at(min(performed_at + timedelta(hours=2, minutes=17), clock.now())):
                validate_procedure(procedure, admin, approve=True)
        created["procedures"] += 1


def _demo_schedules(users: dict, created: dict) -> None:
    """Departments and positions, the clinic's three shifts rotating for its staff from last month to
    the end of the next (night shifts included, the doctor two days ahead of the nurse), and the
    holidays of this year (and of last month's, in January)."""
    departments = {}
    for code, name, _parent in DEPARTMENTS:
        department = db.session.scalar(db.select(Department).filter_by(code=code))
        if department is None:
            department = create_department(code=code, name=name, actor=DEMO_ACTOR)
            created["departments"] += 1
        departments[code] = department
    for name, (code, position) in MEMBERS.items():
        user = users[name]
        if user.department_id is None:
            update_user(user, DEMO_ACTOR, department=departments[code], position=position)
    shifts = {}
    for spec in SHIFTS:
        shift = db.session.scalar(db.select(WorkSchedule).filter_by(name=spec["name"]))
        if shift is None:
            shift = create_schedule({**spec, "working_weekdays": "1-7", "grace_minutes": 5,
                                     "overtime_threshold_minutes": 30, "overtime_auto_approve_minutes": 60},
                                    actor=DEMO_ACTOR)
            created["schedules"] += 1
        shifts[spec["code"]] = shift
    name, steps = CLINIC_PATTERN
    pattern = db.session.scalar(db.select(ShiftPattern).filter_by(name=name))
    if pattern is None:
        pattern = create_pattern(name, [shifts[code] if code else None for code in steps], actor=DEMO_ACTOR)
    db.session.flush()
    today = clock.local_today()
    first = month_before(today)   # the attendance history starts there
    last = shift_month(today, 2) - timedelta(days=1)   # the end of next month
    staff = [users["Bambang Prasetyo"], users["dr. Rina Wulandari"]]
    if db.session.scalar(db.select(RosterEntry.id).where(RosterEntry.user_id.in_([u.id for u in staff]))) is None:
        created["roster_days"] += apply_pattern(pattern, users=staff, starts_on=first, ends_on=last,
                                                stagger_by=2, actor=DEMO_ACTOR).entries
    for year in sorted({first.year, today.year}):
        created["holidays"] += import_year(year, actor=DEMO_ACTOR).added


#: The demo kiosk (pair a tablet with ``flask kiosk pairing-code <id>``).
DEMO_KIOSK = "Lobi Kantor Pusat"


def load_demo() -> dict[str, int]:
    """Create whatever demo rows are missing; returns how many of each kind were created
    (``attendance_days``: days of the attendance history that got a row, :mod:`.attendance`;
    ``roll_calls``: the students' days that got a presence or a mark, :mod:`.roll_calls`)."""
    created = {"offices": 0, "schedules": 0, "users": 0, "classes": 0, "posts": 0, "app_versions": 0, "kiosks": 0,
               "patients": 0, "procedures": 0, "departments": 0, "roster_days": 0, "holidays": 0,
               "attendance_days": 0, "roll_calls": 0}
    offices = {}
    for spec in OFFICES:
        office = db.session.scalar(db.select(Office).filter_by(code=spec["code"]))
        if office is None:
            office = create_office(**spec, actor=DEMO_ACTOR)
            created["offices"] += 1
        offices[spec["code"]] = office
    for spec in SCHEDULES:
        if db.session.scalar(db.select(WorkSchedule.id).filter_by(name=spec["name"])) is None:
            create_schedule(dict(spec), actor=DEMO_ACTOR)
            created["schedules"] += 1
    admin = None
    users = {}
    for spec in USERS:
        key = {"npp": spec["npp"]} if spec["npp"] else {"nisn_nip_nik": spec["nisn_nip_nik"]}
        user = db.session.scalar(db.select(User).filter_by(**key))
        if user is None:
            user = create_user(name=spec["name"], role=spec["role"], email=spec["email"], npp=spec["npp"],
                               nisn_nip_nik=spec.get("nisn_nip_nik"), password=DEMO_PASSWORD,
                               office=offices[spec["office"]], actor=DEMO_ACTOR)
            created["users"] += 1
        users[spec["name"]] = user
        if spec["role"] == "admin":
            admin = user
    school_class = _demo_class(users, created)
    _demo_clinic(users, admin, created)
    _demo_schedules(users, created)
    now = clock.now()
    for i, spec in enumerate(POSTS):
        if db.session.scalar(db.select(Post.id).filter_by(slug=slugify(spec["title"]))) is None:
            create_post(admin, actor=DEMO_ACTOR, status="published", published_at=now - timedelta(days=i + 1), **spec)
            created["posts"] += 1
    for spec in VERSIONS:
        if db.session.scalar(db.select(AppVersion.id).filter_by(platform=spec["platform"])) is None:
            save_app_version(**spec, actor=DEMO_ACTOR)
            created["app_versions"] += 1
    if db.session.scalar(db.select(Kiosk.id).filter_by(name=DEMO_KIOSK)) is None:
        create_kiosk(admin, name=DEMO_KIOSK, office_id=offices["0001"].id, modes=["face", "qr", "cards"],
                     actor=DEMO_ACTOR)
        created["kiosks"] += 1
    created["attendance_days"] += load_history(users, admin, offices)
    created["roll_calls"] += load_roll_calls(school_class, users["Budi Setiawan"], users["Hj. Sri Wahyuni"])
    db.session.flush()
    return created
