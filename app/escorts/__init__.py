"""Emergency-room escorts (*pengantar*): who brought a patient in, with a photo (issue 6)."""
