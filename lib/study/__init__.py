"""The study: the version registry, networks, the training loop, evaluation, one run end to end, and the plan of runs."""
