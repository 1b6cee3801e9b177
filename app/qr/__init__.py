"""QR codes: dynamic attendance tokens (:mod:`.services`) and QR images — inline SVG,
vector modules for PDFs, PNG — (:mod:`.images`, with segno).

Student QR cards are school records: :mod:`app.school` (models, services) and the
printable sheet :mod:`app.school.card_sheet`.
"""
