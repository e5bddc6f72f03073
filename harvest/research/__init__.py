"""Research tooling, above the core and beside the workshop.

- `standard_recipe`: the training mix, the spot checks, when to stop, the test sets;
- `shipped_init` and `reproduction`: how the shipped starting weights are made, and the guard that they still are;
- `chapters/`: the measured chapters (the main story, fixes, corner, side channel, zoo), each one `rows.Chapter`;
- `rows`: how a chapter's rows are stored, merged and printed;
- `detectors`, `planting`, `reference`: detectors behind one interface, how the zoo's networks are made, the clean
  reference set that turns a detector's score into a verdict;
- `superpowers`, `one_cell_back`: a fixes method, and the playground's one-edit experiment;
- `benchmark`: training speed on this machine.
"""
