"""Notifications: in-app notifications and push (FCM) tokens."""
