"""Staging: time on the exposure sheet, actions performed, gaits, rigs posed."""
