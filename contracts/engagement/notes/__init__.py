"""The coach's private notes, per agreement and per session: encrypted at rest, every
read audited."""
