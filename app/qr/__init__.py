"""QR codes: dynamic attendance tokens (:mod:`.services`).

Student QR cards (issue 3) belong here too when they are built.
"""
