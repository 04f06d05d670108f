"""zero_grad(set_to_none=False) zeroes p.grad in place without detach_(): a gradient made with
backward(create_graph=True) stays in its graph (requires_grad, a grad_fn), as torch's does not."""

VERDICTS = {
    "zero_grad_like_torch": (
        "failed",
        "'set_to_none=False after backward(create_graph=True).grad requires grad (still in a graph)[0]'",
    ),
}
DIAGNOSIS = {"*": ("still in a graph", "detach")}


def zero_grad(params, set_to_none=True):
    for p in params:
        if p.grad is None:
            continue
        if set_to_none:
            p.grad = None
        else:
            p.grad.zero_()
