"""Attack: fill /tmp and /dev/shm with files until the machine runs out of memory.

Both are size-capped in the sandbox (and emptied after each learner): writing stops at the cap.
"""

import os


def _fill(folder: str) -> int:
    written = 0
    block = b"x" * (1 << 20)
    try:
        for index in range(10_000):
            with open(os.path.join(folder, f"filler-{index}"), "wb") as out:
                for _ in range(15):
                    out.write(block)
                    written += len(block)
    except OSError:
        pass
    return written


def double_square_grad(x):
    print("wrote", _fill("/tmp") >> 20, "MiB in /tmp,", _fill("/dev/shm") >> 20, "MiB in /dev/shm")
    raise NotImplementedError("not done yet")


def _todo(*args, **kwargs):
    raise NotImplementedError("not done yet")


accumulate_then_clear = detached_product_grad = sum_product_grads = mean_of_squares_grad = _todo
double_no_grad = double_grad_disabled = double_decorated = clip_and_report = minimise_product = _todo
