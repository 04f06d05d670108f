"""try_gpu and get_device return device *names* ("cuda:0", "cpu"), not torch.device objects."""

VERDICTS = {
    "try_gpu_falls_back_to_the_cpu": ("failed", "'try_gpu() is a torch.device'"),
    "get_device_prefers_cuda_then_mps": ("failed", "'is a torch.device'"),
}
DIAGNOSIS = {"*": "torch.device"}

import torch  # noqa: E402


def try_gpu(i=0):
    return f"cuda:{i}" if torch.cuda.device_count() > i else "cpu"


def get_device():
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"
