"""Rigs proposed from drawings: `stopmo import` turns a layered drawing into a puppet file."""
