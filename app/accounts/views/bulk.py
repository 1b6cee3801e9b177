"""Bulk actions on the users list (admins only): move the ticked people to an office or a
department, deactivate them, or release their bound phones — after a confirmation page that
names how many and who (:func:`app.accounts.services.bulk_update_users`)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from ...admin.access import admin_required
from ...common.errors import DomainError
from ...departments.services import department_tree
from ...places.services import list_offices
from .. import services as accounts
from ..forms import BulkUsersForm

from . import bp


def bulk_form():
    """The bulk action form of the users list (its choices filled; no post data read)."""
    return _form(formdata=None)[0]


def _form(**kwargs):
    form = BulkUsersForm(**kwargs)
    offices = list_offices()
    rows = department_tree()
    form.office_id.choices = [(0, _("— Choose an office —"))] + [(o.id, f"{o.code} · {o.name}") for o in offices]
    form.department_id.choices = [(0, _("— No department —"))] + [
        (row.department.id, "\u2003" * row.depth + f"{row.department.code} · {row.department.name}") for row in rows]
    return form, {o.id: o for o in offices}, {row.department.id: row.department for row in rows}


def _summary(action: str, count: int, office, department) -> str:
    if action == "move_office":
        return ngettext("Move %(num)d person to %(place)s?", "Move %(num)d people to %(place)s?", count,
                        place=office.name)
    if action == "move_department":
        return ngettext("Move %(num)d person to %(place)s?", "Move %(num)d people to %(place)s?", count,
                        place=department.name if department else _("no department"))
    if action == "deactivate":
        return ngettext("Deactivate %(num)d person? They can no longer sign in to any app.",
                        "Deactivate %(num)d people? They can no longer sign in to any app.", count)
    return ngettext("Release the bound phone of %(num)d person? Their next mobile sign-in binds a new phone.",
                    "Release the bound phones of %(num)d people? Their next mobile sign-in binds a new phone.", count)


def _done(action: str, changed: int) -> str:
    if action in ("move_office", "move_department"):
        return ngettext("%(num)d person moved.", "%(num)d people moved.", changed)
    if action == "deactivate":
        return ngettext("%(num)d person deactivated.", "%(num)d people deactivated.", changed)
    return ngettext("%(num)d phone released.", "%(num)d phones released.", changed)


@bp.post("/users/bulk")
@admin_required
def users_bulk():
    """First post (from the list): the confirmation page naming how many and who; with ``confirm``:
    apply the action and go back to the list with how many changed."""
    form, offices, departments = _form()
    back = url_for("accounts.users")
    if not form.validate_on_submit():
        flash(_("Choose an action."), "error")
        return redirect(back, code=303)
    try:
        people = accounts.bulk_users(form.user_ids.data or [])
    except DomainError:
        flash(_("Tick at least one person in the list."), "error")
        return redirect(back, code=303)
    action = form.action.data
    office = offices.get(form.office_id.data)
    department = departments.get(form.department_id.data)
    if action == "move_office" and office is None:
        flash(_("Choose the office to move them to."), "error")
        return redirect(back, code=303)
    if not people:
        flash(_("Tick at least one person in the list."), "error")
        return redirect(back, code=303)
    if form.confirm.data != "yes":
        return render_template("accounts/bulk_confirm.html", form=form, people=people, action=action,
                               question=_summary(action, len(people), office, department))
    changed = accounts.bulk_update_users(current_user._get_current_object(), people, action,
                                         office=office, department=department)
    flash(_done(action, changed), "success")
    return redirect(back, code=303)
