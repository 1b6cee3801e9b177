"""Helpers for the QR and attendance tests of the school dialect."""
from __future__ import annotations

import base64
import io

from app.system.models import Setting
from app.extensions import db

#: Inside the default factory office (Kantor Pusat Jakarta, -6.2088, 106.8456, 100 m).
INSIDE = {"latitude": -6.2088, "longitude": 106.8456, "accuracy": 10}
#: About 1.1 km north of it.
OUTSIDE = {"latitude": -6.1988, "longitude": 106.8456, "accuracy": 10}


def set_settings(app, **values) -> None:
    """Save settings rows directly (text values, as the settings table stores them)."""
    with app.app_context():
        for key, value in values.items():
            db.session.add(Setting(key=key, value=str(value)))
        db.session.commit()


def png_b64(width: int = 2, height: int = 2) -> str:
    """A real PNG image, base64 encoded."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def dynamic_token(client, headers, **params) -> dict:
    """``GET /api/qrcode/dynamic`` → its ``data`` (token, expires_at ...), asserting success."""
    response = client.get("/api/qrcode/dynamic", headers=headers, query_string=params)
    assert response.status_code == 200, response.json
    return response.json["data"]
