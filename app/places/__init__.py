"""Places: offices / work locations and their geofences."""
