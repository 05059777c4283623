"""stopmo: a procedural stop-motion animation renderer."""

__version__ = "0.1.0"
