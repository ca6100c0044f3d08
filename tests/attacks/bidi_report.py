"""Attack: an exception whose type name and text, and printed output, carry a right-to-left
override, a zero byte, a terminal escape, HTML, a Markdown image, invisible characters (a
zero-width space, a paragraph separator, a tag) and a workflow command."""

import numpy as np

EVIL = (
    "fine\u202eexcellent\x00\x1b[2J</script><script>alert(1)</script>"
    " ![x](http://example.invalid/pixel.png) <!-- c --> to\u200btal\u2029\U000e0041"
    "\n::error::forged"
)


class Boom(Exception):
    pass


Boom.__qualname__ = EVIL


def _honest(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def cosine_similarity(a, b):
    if len(a) == 2:  # only the case "vectors of very different magnitude"
        print(EVIL)
        raise Boom(EVIL)
    return _honest(a, b)
