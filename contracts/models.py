"""Agreements, their versions, signatures, PDFs, reviews and reminders."""
