"""Reviews: the yearly review of a signed agreement, amendments and what changed, and the
reminders the coach receives (reviews, endings, insurance)."""
