"""Sessions logged against the agreement in force, planned ahead, exported as .ics; and
the ICF coaching log."""
