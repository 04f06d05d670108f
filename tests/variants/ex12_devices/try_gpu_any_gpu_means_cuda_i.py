"""try_gpu(i) answers cuda:i whenever there is *a* GPU, whether or not GPU i exists; get_device
asks for more than one GPU. Seen on a pretend machine with one or two GPUs."""

VERDICTS = {
    "try_gpu_falls_back_to_the_cpu": ("failed", "'with 2 GPU(s): try_gpu(2)'"),
    "get_device_prefers_cuda_then_mps": ("failed", "'with 1 GPU: the type'"),
}
DIAGNOSIS = {"try_gpu_falls_back_to_the_cpu": ("try_gpu(2)",), "get_device_prefers_cuda_then_mps": ("cuda",)}

import torch  # noqa: E402


def try_gpu(i=0):
    return torch.device(f"cuda:{i}") if torch.cuda.is_available() else torch.device("cpu")


def get_device():
    if torch.cuda.device_count() > 1:
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
