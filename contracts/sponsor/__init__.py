"""The sponsor's side, governed by the agreement: the sponsor portal, requests answered
from the signed matrix, releases the client approves or consents to, the disclosure log,
the record of breaking confidentiality, and programmes."""
