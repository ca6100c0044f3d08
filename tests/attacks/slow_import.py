"""Attack: hangs at import."""

import time

time.sleep(3600)
