"""Research tooling: the standard training recipe, the planted initialisation, the results table, the benchmark."""
