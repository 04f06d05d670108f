"""The same numbers on both sides: seeding and deterministic settings.

Called right before every probe run, in the trusted parent (reference) and in
the learner's child, so the two sides draw identical random inputs and use the
same kernels.
"""

from __future__ import annotations

import hashlib
import os
import random

import numpy
import torch

from grader.core import lazy_dynamo


def derive_seed(*parts: str) -> int:
    """A stable 31-bit seed from strings (check id, and for hidden checks a salt)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


def configure_process() -> None:
    """Once per grading process, before any tensor work.

    One intra-op thread keeps reductions in a fixed order and means no OpenMP
    pool exists yet when we fork a child per check (a pool does not survive fork).
    torch._dynamo is loaded only if something compiles (`grader.core.lazy_dynamo`).
    """
    lazy_dynamo.install()
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set, or inter-op work has started
        pass
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    # Asking about CUDA through NVML does not initialise CUDA here, which would break it in forked children.
    os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")


def prepare(seed: int) -> None:
    """Reset global state that changes a probe's numbers."""
    random.seed(seed)
    numpy.random.seed(seed)
    _seed_torch(seed)
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    torch.set_grad_enabled(True)
    # torch.use_deterministic_algorithms also configures the compiler, importing
    # torch._dynamo (about 1.5 s) in every process that calls it; the flag is what matters here.
    torch._C._set_deterministic_algorithms(True, warn_only=True)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True


def _seed_torch(seed: int) -> None:
    """`torch.manual_seed`, which also seeds every accelerator's generators; where torch was built
    with none (the CPU wheel), the CPU's alone: on an accelerator not started yet, it queues the
    seeding with a traceback of the caller, a quarter of a millisecond twice a check."""
    if torch.accelerator.current_accelerator(check_available=False) is None:  # never starts one
        torch.default_generator.manual_seed(seed)
    else:
        torch.manual_seed(seed)
