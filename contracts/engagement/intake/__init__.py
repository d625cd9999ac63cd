"""The confidential intake questionnaire: sent by link, saved and submitted by the
client, read by the coach alone (unless the signed matrix shares it)."""
