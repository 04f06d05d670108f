"""Attack: read the host's secrets (/etc/shadow, other users) and print them into its own feedback.

Learner code never runs as root, and sees a /etc of its own: the report says DENIED for every one.
"""

import os


def _peek() -> str:
    seen = [f"UID={os.getuid()}"]
    for path in ("/etc/shadow", "/etc/gshadow", "/root/.bash_history", "/etc/sudoers"):
        try:
            with open(path) as secret:
                seen.append(f"READ {path}: {secret.read(200)!r}")
        except OSError:
            seen.append(f"DENIED {path}")
    return " | ".join(seen)


def double_square_grad(x):
    print(_peek())
    raise NotImplementedError("not done yet")


def _todo(*args, **kwargs):
    raise NotImplementedError("not done yet")


accumulate_then_clear = detached_product_grad = sum_product_grads = mean_of_squares_grad = _todo
double_no_grad = double_grad_disabled = double_decorated = clip_and_report = minimise_product = _todo
