"""Attack: os._exit at import."""

import os

os._exit(0)
