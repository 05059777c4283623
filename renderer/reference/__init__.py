"""The format reference and JSON Schemas, generated from the loaders' tables."""
