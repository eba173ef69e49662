"""Tools run beside the archive: the benchmark mix, the synthetic corpus generator, integrity checks."""
