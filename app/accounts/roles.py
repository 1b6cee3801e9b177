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

#: Roles that may sign in to the admin web app (issue 2, section 4).
ADMIN_ROLES = frozenset({"admin", "petugas"})
