"""The first momentum buffer is d itself, not a copy: without weight decay d is the caller's gradient.

The numbers are right, but the returned state shares memory with `grads`: the caller's next
in-place change to its gradient (an accumulating backward, zero_grad(set_to_none=False))
rewrites the momentum buffer too.
"""

VERDICTS = {
    "sgd_results_are_copies": (
        "failed",
        "'a copy: changing the input params and grads leaves the returned params and state alone.state.momentum_buffer[0]'",
    ),
}
DIAGNOSIS = {"*": ("a copy",)}


def sgd_step(params, grads, state, *, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")
    buffers = state.get("momentum_buffer")
    new_params, new_buffers = [], []
    for i, (p, g) in enumerate(zip(params, grads)):
        d = g + weight_decay * p if weight_decay != 0 else g
        if momentum != 0:
            b = d if buffers is None else momentum * buffers[i] + (1 - dampening) * d
            new_buffers.append(b)
            d = d + momentum * b if nesterov else b
        new_params.append(p - lr * d)
    return new_params, ({"momentum_buffer": new_buffers} if momentum != 0 else {})
