"""Reviewing: golden frames, frame diffs, contact and model sheets, validation."""
