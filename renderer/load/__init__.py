"""Loaders: the only code that reads YAML and files into the model, with located errors."""
