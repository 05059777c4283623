"""The model: frozen data only (scenes, shots, actions, puppets, sets, art, sequences and the
words they share). Loaders make it from files; staging, painting and compositing read it."""
