"""Research tooling: the standard training recipe, how the shipped starting weights were made, the results table, the benchmark."""
