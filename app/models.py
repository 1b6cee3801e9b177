"""Import every model so Alembic and ``db.create_all`` see the whole schema."""
from .accounts.models import ApiToken, DeviceBinding, DeviceResetRequest, User  # noqa: F401
from .attendance.models import AttendanceEvent, DailyAttendance, OfflineSyncLog, OvertimeClaim  # noqa: F401
from .departments.models import Department  # noqa: F401
from .notify.models import Notification, PushToken  # noqa: F401
from .places.models import Office  # noqa: F401
from .posts.models import Post  # noqa: F401
from .schedules.models import (Holiday, RosterEntry, ScheduleAssignment, ShiftPattern,  # noqa: F401
                               ShiftPatternApplication, ShiftPatternStep, WorkSchedule)
from .system.models import AppVersion, CacheVersion, Setting  # noqa: F401
from .leave.models import LeaveRequest  # noqa: F401
from .school.models import ClassEnrollment, SchoolClass, StudentAbsence, StudentAttendance, StudentQrCard  # noqa: F401
from .faces.models import FaceSample, LivenessChallenge  # noqa: F401
from .kiosk.models import Kiosk  # noqa: F401
from .escorts.models import Escort, EscortApiActivity, EscortApiSession, EscortApiView  # noqa: F401
from .clinic.models import Patient, Procedure  # noqa: F401
from .notify.models import NotificationSettings, UserDevice  # noqa: F401
from .audit.models import AuditEntry  # noqa: F401
