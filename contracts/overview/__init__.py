"""The engagement page: everything an agreement governs once sent, one card per part, from
the engagement (sessions, meetings, intake, notes) and the sponsor's side (requests and
releases, the disclosure log)."""
