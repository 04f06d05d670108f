"""try_all_gpus without the CPU fallback: an empty list on a machine without a GPU.

(On a machine with GPUs this variant is right; the verdict below holds without one.)
"""

VERDICTS = {"try_all_gpus_lists_every_gpu_or_the_cpu": ("failed", "'length matches the machine'")}
DIAGNOSIS = {"*": ("fallback", "empty list", "the cpu")}

import torch  # noqa: E402


def try_all_gpus():
    return [torch.device(f"cuda:{i}") for i in range(torch.cuda.device_count())]
