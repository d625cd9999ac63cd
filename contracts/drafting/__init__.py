"""Building an agreement: its sections, the built-in template, the builder, the checks and
each party's view of the terms."""
