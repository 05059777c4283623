"""Files out: frame sinks and encoders, reading videos back, the film assembled."""
