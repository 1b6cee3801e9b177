"""Everyone's own pages: home, schedule of a month, attendance of a month, device reset, profile and password.

Every view here shows or changes the signed-in person's own records only: no id of a
person is read from the URL.  Access: :func:`~app.admin.access.signed_in_required`
(anyone who may use the web app), :func:`~app.admin.access.roles_required` for the
pages of one group (clinic workers' service fees).
"""
from __future__ import annotations

import calendar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts import services as accounts
from ..accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PasswordRejected
from ..accounts.roles import CLINIC_WORKER_ROLES
from ..admin.access import roles_required, signed_in_required
from ..admin.rendering import render
from ..common import clock
from ..common.boundary import refuse
from ..common.errors import DomainError, NotFound
from ..common.months import month_after, month_before, parse_month
from ..schedules.resolution import resolve_days
from . import home_cards
from .cards import cards_for
from .forms import DeviceResetForm, PasswordForm, ProfileForm

home_cards.register()

bp = Blueprint("me", __name__, url_prefix="/admin/me")


def _me():
    """The signed-in :class:`~app.accounts.models.User` (not the proxy)."""
    return current_user._get_current_object()


@bp.get("/")
@signed_in_required
def home():
    """The signed-in person's home page: the registered cards (:mod:`.cards`) that have something
    for them today — the core's (today's schedule and attendance, leave balance and requests, leave
    to approve, this week, phone and account) and what their role's vertical adds (a teacher's
    classes, the principal's school, a clinic worker's service fees, the ER's escorts waiting)."""
    today = clock.local_today()
    shown = cards_for(_me(), today)
    return render_template("personal/home.html", today=today,
                           tiles=[(c, ctx) for c, ctx in shown if c.kind == "tile"],
                           sections=[(c, ctx) for c, ctx in shown if c.kind == "section"])


@bp.get("/schedule")
@signed_in_required
def schedule():
    """The signed-in person's schedule for ``month`` (``YYYY-MM``; this month when missing or
    invalid): every day with its shift or work schedule and windows, or why it is a day off
    (roster, holiday, weekday), as the schedule engine resolves it."""
    raw = request.args.get("month")
    month = parse_month(raw)
    invalid = bool(raw) and month is None
    month = month or clock.local_today().replace(day=1)
    last = calendar.monthrange(month.year, month.month)[1]
    days = resolve_days(_me(), [month.replace(day=d) for d in range(1, last + 1)])
    return render_template("personal/schedule.html", month=month, days=days, invalid_month=invalid,
                           today=clock.local_today(), working=sum(1 for d in days if d.is_working_day),
                           previous_month=f"{month_before(month):%Y-%m}", next_month=f"{month_after(month):%Y-%m}")


@bp.get("/month")
@signed_in_required
def month():
    """The signed-in person's attendance month (``?month=YYYY-MM``, this month when missing or
    invalid): each day as the recap classifies it (:func:`app.attendance.recap.person_month`),
    with the events (their photo, :func:`event_photo`, and a map link of where they were taken)
    and the month's totals.  Only their own: no person id is read from the URL."""
    from ..attendance import recap

    raw = request.args.get("month")
    first = parse_month(raw)
    invalid = bool(raw) and first is None
    first = first or clock.local_today().replace(day=1)
    result = recap.person_month(_me(), first.year, first.month)
    return render("personal/month.html", "attendance/_partials/person_month.html", month=result,
                  error=_("“%(value)s” is not a month; showing this month.", value=raw[:20]) if invalid else None,
                  month_link=lambda day: url_for("me.month", month=f"{day:%Y-%m}"),
                  photo_link=lambda event: url_for("me.event_photo", event_id=event.id) if event.photo_path else None,
                  correct_link=None)


@bp.get("/events/<int:event_id>/photo")
@signed_in_required
def event_photo(event_id: int):
    """The photo taken with one of the signed-in person's own attendance events (never cached);
    another person's event answers 404, as a missing one or an event without a photo."""
    from ..attendance.photos import event_for_photo, send_event_photo

    try:
        event = event_for_photo(event_id, owner_id=current_user.id)
    except NotFound:
        abort(404)
    return send_event_photo(event)


@bp.route("/device-reset", methods=["GET", "POST"])
@signed_in_required
def device_reset():
    """The signed-in person's device-reset requests (newest first, with status and the admin's
    note) and the form to ask for a new one (refused while one is pending)."""
    me = _me()
    form = DeviceResetForm()
    if form.validate_on_submit():
        try:
            accounts.request_device_reset_for(me, form.reason.data)
        except accounts.PendingResetExists:
            refuse()
            form.add_error("reason", _("You already have a request waiting for a decision."))
        except DomainError as exc:
            refuse()
            form.apply_domain_error(exc)
        else:
            flash(_("Your request was sent. An administrator will decide it."), "success")
            return redirect(url_for("me.device_reset"), code=303)
    requests = accounts.device_reset_requests(me)
    pending = any(r.status == "pending" for r in requests)
    return render_template("personal/device_reset.html", form=form, requests=requests, pending=pending,
                           bound=me.device)


_PASSWORD_REASONS = {
    "required": lambda: _("Enter the new password."),
    "too_short": lambda: _("The new password must be at least %(num)d characters.", num=MIN_PASSWORD_LENGTH),
    "too_long": lambda: _("The new password may have at most %(num)d characters.", num=MAX_PASSWORD_LENGTH),
    "blank": lambda: _("The new password may not be only spaces."),
}


def _profile_page(profile_form: ProfileForm, password_form: PasswordForm, status: int = 200):
    return render_template("personal/profile.html", person=_me(), profile_form=profile_form,
                           password_form=password_form), status


@bp.route("/profile", methods=["GET", "POST"])
@signed_in_required
def profile():
    """The signed-in person's profile: name, email and phone (changeable), role, identifiers,
    office and department (shown), the language; the password form posts to :func:`password`."""
    me = _me()
    form = ProfileForm(obj=me) if request.method == "GET" else ProfileForm()
    if form.validate_on_submit():
        ok, _user = form.call(lambda: accounts.update_user(me, name=form.name.data, email=form.email.data,
                                                           phone=form.phone.data),
                              conflict_messages={"email": _("This email is used by another account.")})
        if ok:
            flash(_("Your profile was saved."), "success")
            return redirect(url_for("me.profile"), code=303)
    return _profile_page(form, PasswordForm(formdata=None), 422 if form.errors else 200)


@bp.post("/password")
@signed_in_required
def password():
    """Change the signed-in person's password: the current one, then the new one twice
    (the one password policy, :func:`~app.accounts.passwords.check_new_password`)."""
    me = _me()
    form = PasswordForm()
    if form.validate_on_submit():
        if form.new_password.data != form.confirm_password.data:
            form.add_error("confirm_password", _("The two new passwords are not the same."))
        else:
            try:
                accounts.change_password(me, form.current_password.data, form.new_password.data)
            except accounts.WrongCurrentPassword:
                refuse()
                form.add_error("current_password", _("The current password is wrong."))
            except PasswordRejected as exc:
                refuse()
                form.add_error("new_password", _PASSWORD_REASONS[exc.reason]())
            else:
                flash(_("Your password was changed."), "success")
                return redirect(url_for("me.profile"), code=303)
    return _profile_page(ProfileForm(obj=me, formdata=None), form, 422)


@bp.get("/service-fees")
@roles_required(CLINIC_WORKER_ROLES)
def service_fees():
    """A clinic worker's own procedures and service fees (*jaspel*): the month page of the
    service-fee report, for the signed-in person (``month`` passed on)."""
    month = request.args.get("month")
    return redirect(url_for("clinic_admin.service_fees_person", user_id=current_user.id,
                            **({"month": month} if month else {})))
