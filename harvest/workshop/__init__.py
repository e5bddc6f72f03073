"""Workshop tooling: exercise checks, the build of exercises and notebooks, the tabular warm-up, the slides."""
