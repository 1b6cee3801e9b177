"""The clinic domain: patients and the procedures staff perform for them (contract 000's ``pasien`` and ``tindakan``).

A :class:`~.models.Procedure` (the contracts' *tindakan*) is performed by a doctor
(``dokter``) or a paramedic (``paramedis``) for a :class:`~.models.Patient`
(*pasien*); it carries a fee and the performer's share of it, the service fee
(*jaspel*), both in whole rupiah.  A procedure starts ``pending`` and is
validated once: ``approved`` or ``rejected``; validating notifies the performer.
Service-fee figures are sums of approved and pending shares over a period of
local dates — a rejected procedure never counts.  See :mod:`.services`.
"""
