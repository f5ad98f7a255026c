"""Generation: rendered Chalice projects -> files in the output folder, without losing a user's work."""
