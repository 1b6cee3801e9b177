"""Role keys and their stable numeric ids.

The keys are the contracts' own values.  The school contract
(002, ``role_id``) numbers 1 siswa, 2 guru, 3 pegawai, 4 kepsek, 5 admin; the
other roles follow from 6 and never change number.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Role:
    """One role: ``key`` (contract value), ``id`` (stable number), ``label``."""

    key: str
    id: int
    label: object


ROLES: tuple[Role, ...] = (
    Role("siswa", 1, _l("Student")),
    Role("guru", 2, _l("Teacher")),
    Role("pegawai", 3, _l("Employee")),
    Role("kepsek", 4, _l("Principal")),
    Role("admin", 5, _l("Administrator")),
    Role("petugas", 6, _l("HR / front-office staff")),
    Role("dokter", 7, _l("Doctor")),
    Role("paramedis", 8, _l("Paramedic")),
    Role("non_paramedis", 9, _l("Non-paramedic staff")),
    Role("mahasiswa", 10, _l("University student")),
)

ROLE_BY_KEY = {r.key: r for r in ROLES}
ROLE_BY_ID = {r.id: r for r in ROLES}
ROLE_KEYS = tuple(ROLE_BY_KEY)

# --- Role groups -------------------------------------------------------------------------
# Every rule about "who" names one of these groups (or a union of them); no module writes a
# group of role keys as a literal.  A rule of one dialect that happens to equal a group is
# still named for its rule there (``REVIEWERS = SCHOOL_LEAD_ROLES``).

#: Learners (pupils, university students): they attend classes and have no work schedule,
#: so they do not check in as staff and are not counted among the workforce.
STUDENT_ROLES = frozenset({"siswa", "mahasiswa"})
#: Everyone who works: every role but the students.  Staff check in against the work schedule.
STAFF_ROLES = frozenset(ROLE_KEYS) - STUDENT_ROLES
#: The administrators (admin, HR / front-office *petugas*): they sign in to the admin web app,
#: act on other people's records, and are left out of the workforce reports they read.
ADMIN_ROLES = frozenset({"admin", "petugas"})
#: The administrator alone: work schedules, users, offices, settings, posts, app versions (the admin
#: web app's configuration pages).
ADMINISTRATOR_ROLES = frozenset({"admin"})
#: Every role.  Everyone with an account may sign in to the web app for their own pages (students
#: only where the school allows it: :func:`app.admin.access.may_use_web_app`).
EVERY_ROLE = frozenset(ROLE_KEYS)
#: School teachers (teacher, principal): the ones who may be a class's homeroom teacher.
TEACHER_ROLES = frozenset({"guru", "kepsek"})
#: The school's staff in the school app (contract 002): its teachers and the administrator;
#: they run classes, students and student cards, and write announcements.
SCHOOL_STAFF_ROLES = TEACHER_ROLES | {"admin"}
#: Who leads a school (principal, administrator): sees the whole school's dashboard and
#: everyone's offline syncs, and reviews leave requests (contract 002).
SCHOOL_LEAD_ROLES = frozenset({"kepsek", "admin"})
#: The school's principal (*kepala sekolah*).
PRINCIPAL_ROLES = frozenset({"kepsek"})
#: Whose leave the principal approves (contract 002, section 6): the teachers and the students.
PRINCIPAL_APPROVED_ROLES = frozenset({"guru"}) | STUDENT_ROLES
#: Who approves anyone's leave whoever else does (HR: the administrator).
LEAVE_ADMIN_ROLES = frozenset({"admin"})
#: Who may take a class's roll call in the web app (contract 002 section 5: teachers, the principal
#: and the administrator record students); a teacher only for the classes they are homeroom
#: teacher of (:func:`app.school.services.may_take_roll_call`).
ROLL_CALL_ROLES = SCHOOL_STAFF_ROLES
#: Clinicians (doctor, paramedic): they perform clinic procedures and earn their service fee
#: (contract 000, "tindakan").
CLINICIAN_ROLES = frozenset({"dokter", "paramedis"})
#: The clinic's workers (clinicians and non-paramedic staff): a row each in the service-fee
#: (*jaspel*) report.
CLINIC_WORKER_ROLES = CLINICIAN_ROLES | {"non_paramedis"}
#: Everyone who may use the clinic app (contract 000): its workers and the administrators.
CLINIC_STAFF_ROLES = CLINIC_WORKER_ROLES | ADMIN_ROLES
#: Emergency-room staff of the escort registry (contract 004): the front office and
#: administrators (who register arrivals) and the clinicians (who receive the patient).
ER_STAFF_ROLES = CLINICIAN_ROLES | ADMIN_ROLES
