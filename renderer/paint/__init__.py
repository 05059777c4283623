"""Painting: primitives and materials to sprites, once, kept in the paint cache on disk."""
