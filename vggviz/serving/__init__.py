"""The shared server: the scheduler of forward passes, the training pool, per-session limits, the process warm-up."""
