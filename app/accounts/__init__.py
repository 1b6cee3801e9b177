"""Accounts: users, roles, passwords, device bindings and device resets."""
