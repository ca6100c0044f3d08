"""Attack: defines the wrong name."""

def cosine(a, b):
    return 0.0
