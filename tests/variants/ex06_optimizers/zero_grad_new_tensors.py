"""zero_grad(set_to_none=False) assigns fresh zero tensors instead of zeroing the existing ones in place."""

VERDICTS = {"zero_grad_like_torch": ("failed", "'set_to_none=False.same tensor as before[0]'")}
DIAGNOSIS = {"*": ("same tensor", "in place")}

import torch  # noqa: E402


def zero_grad(params, set_to_none=True):
    for p in params:
        if p.grad is not None:
            p.grad = None if set_to_none else torch.zeros_like(p)
