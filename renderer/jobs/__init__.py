"""Jobs: the film's scenes rendered in a pool of workers, stale ones only."""
