"""The model: frozen data (scenes, shots, actions, puppets, sets, art, sequences and the words
they share), and the skeleton's forward kinematics, a pure function of a puppet's bones that
both the loaders and the stage need. Loaders make it from files; staging, painting and
compositing read it."""
