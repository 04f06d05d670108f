"""Attack: the module never finishes importing, so every check of the exercise hangs."""

while True:
    pass
