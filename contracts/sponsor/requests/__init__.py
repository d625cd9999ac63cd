"""Requests for information answered from the signed matrix, and what is released:
prepared by the coach, approved or consented to by the client where the rule asks."""
