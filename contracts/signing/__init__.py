"""Signing: frozen versions sent to the parties, emailed links and codes, signatures,
declines, voids, reopening and reminders to those who have not signed."""
