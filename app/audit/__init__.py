"""The audit trail: who changed or decided what, when, from what to what, and why.

One model (:class:`.models.AuditEntry`) and one function every service calls when staff
decide or change something (:func:`.services.record`); the admin page lists the entries
with filters (:mod:`.views`).
"""
