"""Attack: os._exit(0) while being imported: no exception, no frame, status 0."""

import os

os._exit(0)
