"""Leave: leave requests (izin, cuti, dinas luar, sakit) and their approval."""
