"""Composing a frame: paintings placed by the camera, post effects, weather and text."""
