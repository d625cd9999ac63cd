"""The disclosure log's pages and exports, and the record of breaking confidentiality
by the agreed procedure."""
