"""Work schedules (jam kerja): when check-in and check-out are allowed."""
