"""Departments (unit kerja): the organisation's units, optionally nested."""
