"""Attack: leave the interpreter with sys.exit(0) while being imported, hoping "exit 0" reads as success."""

import sys

sys.exit(0)
