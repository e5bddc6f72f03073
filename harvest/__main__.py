"""`python -m harvest ...` is the `harvest` command."""
import sys

from .cli import main

sys.exit(main())
