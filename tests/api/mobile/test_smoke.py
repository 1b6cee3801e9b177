def test_login_then_check_in(client, factory, freeze_time):
    office = factory.office()
    factory.schedule()
    factory.user(npp="10001", office=office)
    freeze_time("2026-01-30T07:55:00+07:00")
    r = client.post("/api/login", json={"npp": "10001", "password": "password123", "device_id": "dev-1"})
    assert r.status_code == 200, r.json
    token = r.json["access_token"]
    r = client.post("/api/absenmasuk", json={"latitude": "-6.2088", "longitude": "106.8456"},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.json
    assert r.json["rcode"] == "00"
    r = client.post("/api/absenmasuk", json={"latitude": "-6.2088", "longitude": "106.8456"},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.json["rcode"] == "82", r.json
