"""save_compact saves tensor.contiguous(): a contiguous slice is returned as is, with its base's storage.

The non-contiguous column gets copied and passes; the slice still writes all
50 000 elements of the tensor it comes from.
"""

VERDICTS = {"compact_slice_saves_only_itself": ("failed", "'slice.storage bytes after loading': wrong value")}
DIAGNOSIS = {"*": ("clone", "copy", "storage")}

import torch  # noqa: E402


def save_compact(path, tensor):
    torch.save(tensor.contiguous(), path)
