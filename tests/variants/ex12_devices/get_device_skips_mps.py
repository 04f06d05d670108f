"""get_device goes straight from CUDA to the CPU: a Mac's GPU (MPS) is never used."""

VERDICTS = {
    "get_device_prefers_cuda_then_mps": ("failed", "'with MPS and no GPU: the type'"),
}
DIAGNOSIS = {"*": ("mps",)}

import torch  # noqa: E402


def get_device():
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
