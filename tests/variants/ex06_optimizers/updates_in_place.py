"""sgd_step updates params and the momentum buffers in place: right numbers, but not a pure function.

The caller's tensors (and the state it passed in) change under its feet.
"""

VERDICTS = {
    "sgd_plain_steps": ("failed", "'params and grads unchanged[0]'"),
    "sgd_momentum_buffer": ("failed", "'previous state unchanged[1]'"),
    "sgd_momentum_one_weight_decay_one": ("failed", "'params and grads unchanged[0]'"),
    "sgd_results_are_copies": (
        "failed",
        "'a copy: changing the input params and grads leaves the returned params and state alone.params[0]'",
    ),
}
DIAGNOSIS = {"*": ("in place", "unchanged"), "sgd_results_are_copies": ("a copy", "in place")}


def sgd_step(params, grads, state, *, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")
    buffers = state.get("momentum_buffer")
    first = buffers is None
    if first:
        buffers = [None] * len(params)
    for i, (p, g) in enumerate(zip(params, grads)):
        d = g + weight_decay * p
        if momentum != 0:
            if first:
                buffers[i] = d.clone()
            else:
                buffers[i].mul_(momentum).add_(d, alpha=1 - dampening)
            d = d + momentum * buffers[i] if nesterov else buffers[i]
        p.sub_(lr * d)
    return params, ({"momentum_buffer": buffers} if momentum != 0 else {})
