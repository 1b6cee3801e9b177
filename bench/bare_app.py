"""The bare baseline of bench/checkin.py: Flask answering a constant JSON on POST.

Same route and response body as a Hadir check-in, nothing else: no database,
no token check, no rate limit.  Served by the same gunicorn configuration.
"""
from flask import Flask

app = Flask(__name__)


@app.post("/api/absenmasuk")
def check_in():
    return {"rcode": "00", "message": "Check-in successful"}


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
