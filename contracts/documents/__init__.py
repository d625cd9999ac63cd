"""Documents: PDFs rendered from a snapshot, the platform's seal, downloads and checking a
PDF's seal."""
