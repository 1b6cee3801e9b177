"""Attendance: raw check-in/check-out events, daily summaries, review."""
