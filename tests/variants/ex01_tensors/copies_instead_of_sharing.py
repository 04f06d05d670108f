"""torch.tensor where torch.from_numpy is asked: the tensor no longer follows the array."""

VERDICTS = {"numpy_memory_sharing": ("failed", "'shared after the array changed'")}
DIAGNOSIS = {"*": ("shared", "shares memory", "from_numpy")}

import torch  # noqa: E402


def shared_from_numpy(array):
    return torch.tensor(array)
