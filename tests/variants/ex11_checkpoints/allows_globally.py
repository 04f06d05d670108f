"""Allows the extra classes with add_safe_globals: every later torch.load in the program accepts them too."""

VERDICTS = {
    "safe_globals_allow_one_class": ("failed", "'with nothing allowed': expected UnpicklingError"),
}
DIAGNOSIS = {"*": ("add_safe_globals", "safe_globals(", "globally")}

import torch  # noqa: E402


def load_with_safe_globals(path, allowed):
    torch.serialization.add_safe_globals(allowed)
    return torch.load(path, map_location="cpu", weights_only=True)
