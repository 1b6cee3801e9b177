"""Sign-in, sign-out, the language switch and the dashboard of today."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField

from ..accounts import services as accounts
from ..accounts.roles import ADMIN_ROLES
from ..attendance import services as attendance
from ..common import clock
from ..common.boundary import refuse
from ..common.ratelimit import login_address_limit, note_failed_login
from ..extensions import db, limiter
from .access import home_endpoint, is_safe_next, may_use_web_app, public, signed_in_required, web_app_roles
from .forms import AdminForm, max_length, required

bp = Blueprint("admin", __name__, url_prefix="/admin")

#: Sign-in attempts per client address and identifier (Flask-Limiter syntax), as the apps' logins;
#: refused sign-ins per address across identifiers: :func:`~app.common.ratelimit.login_address_limit`.
LOGIN_RATE_LIMIT = "5 per minute"
#: How many of today's check-ins the dashboard lists.
DASHBOARD_CHECK_INS = 10


class LoginForm(AdminForm):
    """Email or NPP, and password."""

    identifier = StringField(_l("Email or NPP"), validators=[required(_l("Enter your email or NPP.")), max_length(254)])
    password = PasswordField(_l("Password"), validators=[required(_l("Enter your password.")), max_length(1024)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class LanguageForm(AdminForm):
    """The id/en switch in the top bar."""

    lang = SelectField(choices=[("id", "Bahasa Indonesia"), ("en", "English")], validators=[required()])
    next = HiddenField()


def _next_target(user) -> str:
    """Where to go after signing in: a safe ``next``, else ``user``'s home page."""
    target = request.values.get("next")
    return target if is_safe_next(target) else url_for(home_endpoint(user))


def _reset_session() -> None:
    """Start a fresh session (keeps only the chosen language)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _login_key() -> str:
    identifier = request.form.get("identifier", "")
    return f"admin:login:{request.remote_addr or '?'}:{identifier.strip().lower()[:64] or '-'}"


@bp.route("/login", methods=["GET", "POST"])
@login_address_limit
@limiter.limit(LOGIN_RATE_LIMIT, methods=["POST"], key_func=_login_key)
@public
def login():
    """Sign in with email or NPP + password: everyone with an account (students only while the
    school allows it, :func:`~app.admin.access.web_app_roles`), each to their home page.

    Limits: :data:`LOGIN_RATE_LIMIT` per address and identifier, and the refused sign-ins
    of an address across identifiers and apps (:func:`~app.common.ratelimit.login_address_limit`).
    """
    if may_use_web_app(current_user):
        return redirect(_next_target(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.identifier.data, form.password.data, allowed_roles=web_app_roles())
        except accounts.BadCredentials:
            refuse()
            note_failed_login()
            form.add_error("password", _("The email/NPP or the password is wrong."))
        except accounts.InactiveUser:
            refuse()
            note_failed_login()
            form.add_error("identifier", _("This account is deactivated. Ask an administrator to activate it."))
        except accounts.RoleNotAllowed:
            refuse()
            note_failed_login()
            form.add_error("identifier", _("Students may not sign in here. Please use the school app."))
        else:
            _reset_session()
            login_user(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(_next_target(user))
    form.password.data = ""
    next_path = request.values.get("next")
    return render_template("admin/login.html", form=form, next=next_path if is_safe_next(next_path) else None)


@bp.post("/logout")
@public
def logout():
    """Sign out (POST only, CSRF-checked) and go back to the login page."""
    # the CSRF token is checked by CSRFProtect before any view runs
    if current_user.is_authenticated:
        logout_user()
    _reset_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("admin.login"))


@bp.post("/language")
@public
def language():
    """Store the chosen UI language (``id`` or ``en``) in the session and go back."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
    target = form.next.data
    if is_safe_next(target):
        return redirect(target)
    return redirect(url_for(home_endpoint(current_user) if may_use_web_app(current_user) else "admin.login"))


#: The review inbox's sections as the dashboard names them (keys of :func:`app.review.pending_counts`).
REVIEW_SECTION_LABELS = {
    "events": _l("Check-ins outside the geofence or otherwise flagged"),
    "face-enrolments": _l("Face enrolments"),
    "leave-requests": _l("Leave requests"),
    "procedures": _l("Procedures awaiting validation"),
    "overtime-claims": _l("Overtime"),
}


@bp.get("/")
@signed_in_required
def dashboard():
    """Today at a glance for admins and petugas (everyone else is sent to their own home page), per population (staff; students apart) by each person's schedule, each number
    a link to the people behind it; the latest check-ins; the work waiting, counted by the same
    functions as the sidebar's badges and the inbox.  The month's chart is a fragment loaded after
    the page (:func:`app.attendance.recap_views.month_chart`: everyone's month summed by
    :func:`app.attendance.recap.summarise_days`, no one classified day by day), so the page does not
    wait for it."""
    if current_user.role not in ADMIN_ROLES:
        return redirect(url_for(home_endpoint(current_user)))
    from ..attendance import recap
    from ..review import pending_counts

    today = clock.local_today()
    return render_template(
        "admin/dashboard.html",
        today=today,
        populations=recap.today_by_population(today),
        review_counts=[(key, REVIEW_SECTION_LABELS.get(key, key), n) for key, n in pending_counts().items()],
        check_ins=attendance.recent_check_ins(today, limit=DASHBOARD_CHECK_INS),
        pending_resets=accounts.pending_device_reset_count(),
    )
