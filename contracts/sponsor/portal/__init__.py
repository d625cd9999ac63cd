"""The sponsor portal: each contact signs in with an emailed one-time link and sees only
what the agreements that name them give them."""
