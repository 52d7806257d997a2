"""Infrastructure: where files live, atomic writes, checkpoints, and where a number came from."""
