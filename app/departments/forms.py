"""Admin form of a department (*unit kerja*)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField

from ..admin.forms import AdminForm, max_length, required


class DepartmentForm(AdminForm):
    """Code, name and the department it belongs to (0: none, a top-level department)."""

    code = StringField(_l("Code"), validators=[required(), max_length(20)],
                       description=_l("Short and unique, e.g. IGD or KEU: letters, digits, dots, dashes."))
    name = StringField(_l("Name"), validators=[required(), max_length(120)])
    parent_id = SelectField(_l("Part of"), coerce=int, validate_choice=True,
                            description=_l("A sub-department follows the work schedule of its parent unless it "
                                           "has its own."))

    def set_parent_choices(self, rows, none_label, exclude=frozenset()) -> None:
        """Offer the departments of ``rows`` (:class:`~app.departments.services.TreeRow`, indented
        by depth) except the ids in ``exclude``, after "none" (value 0)."""
        self.parent_id.choices = [(0, none_label)] + [
            (row.department.id, "\u2003" * row.depth + f"{row.department.code} · {row.department.name}")
            for row in rows if row.department.id not in exclude]

    def values(self, parents: dict) -> dict:
        """The keyword arguments of :func:`~app.departments.services.update_department`."""
        return dict(code=self.code.data, name=self.name.data, parent=parents.get(self.parent_id.data))
