"""The records lifecycle: retention by class, disposal with a log, legal holds, the
client's copy of their data and erasure."""
