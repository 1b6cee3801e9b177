"""System: app versions, demo data, health."""
