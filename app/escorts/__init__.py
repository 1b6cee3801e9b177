"""Emergency-room escorts (*pengantar*): who brought a patient in, with a photo (contract 004)."""
