"""Programmes: one sponsor's purchase of coaching for several employees, its agreements
created in bulk from a CSV, its budget used and left."""
