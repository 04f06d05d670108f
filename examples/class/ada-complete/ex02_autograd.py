"""Exercise 2 — autograd: how PyTorch computes gradients for you.

Every tensor operation on a tensor with `requires_grad=True` is recorded in a
graph; `backward()` walks that graph from a scalar back to the leaves and
*adds* each leaf's gradient into its `.grad`. Most autograd bugs come from three
facts taught here: gradients accumulate, `.detach()`/`.data` cut the graph, and
code under `no_grad` records nothing.
"""

import torch


def double_square_grad(x: torch.Tensor) -> torch.Tensor:
    """Gradient of y = 2·(x·x) with respect to x.

    What: build y = 2 * dot(x, x) (a scalar), call `y.backward()`, return `x.grad`.
    Why: this is the whole autograd loop in miniature: forward, backward, read
    the leaf's `.grad`. By hand, dy/dx = 4x.
    Example: x = torch.arange(4.0, requires_grad=True) gives [0., 4., 8., 12.].

    `x` arrives with `requires_grad=True` and no gradient yet.
    """
    # BEGIN SOLUTION compute y from x, call backward on it, return the gradient stored on x
    y = 2 * torch.dot(x, x)
    y.backward()
    return x.grad
    # END SOLUTION


def accumulate_then_clear(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Show that gradients accumulate, then clear them.

    What: (1) backward through y = 2·(x·x); (2) backward through x.sum() *without*
    clearing, and keep a copy of x.grad; (3) clear x.grad (`x.grad.zero_()` or
    `x.grad = None`), backward through x.sum() again, keep a copy. Return both copies.
    Why: `backward()` adds into `.grad`. A training loop that forgets to clear
    gradients (`optimizer.zero_grad()`) steps with the sum of all past gradients.
    Example: x = torch.arange(4.0, requires_grad=True) gives
    ([1., 5., 9., 13.], [1., 1., 1., 1.]).

    Return copies (`.clone()`): `x.grad` is one tensor that later steps modify in place.
    """
    # BEGIN SOLUTION three backward calls; clone x.grad after the second and the third
    (2 * torch.dot(x, x)).backward()
    x.sum().backward()
    accumulated = x.grad.clone()
    x.grad.zero_()
    x.sum().backward()
    return accumulated, x.grad.clone()
    # END SOLUTION


def detached_product_grad(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Gradient of z = u·x where u = (x·x) is treated as a constant.

    What: y = x * x (elementwise); u = y.detach(); z = u * x; backward through
    z.sum(); return (x.grad, u).
    Why: `detach()` returns the same values with no history, so autograd sees u
    as a constant: dz/dx = u, not 3x². This is how you stop gradients flowing
    into part of a model (targets in RL, frozen features).
    Example: x = torch.arange(4.0, requires_grad=True) gives grad [0., 1., 4., 9.].
    """
    # BEGIN SOLUTION detach y to get u, build z = u * x, backward through its sum
    u = (x * x).detach()
    z = u * x
    z.sum().backward()
    return x.grad, u
    # END SOLUTION


def sum_product_grads(
    a: torch.Tensor, b: torch.Tensor, c: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Gradients of z = sum((a + b) · c) with respect to a, b and c.

    What: build the graph, backward once, return (a.grad, b.grad, c.grad).
    Why: the chain rule on a small graph: an addition passes the upstream gradient
    unchanged to both inputs, a product sends each input the *other* factor.
    So dz/da = dz/db = c and dz/dc = a + b.
    Example: a = [1.], b = [2.], c = [3.] gives ([3.], [3.], [3.]).
    """
    # BEGIN SOLUTION build the scalar z the docstring defines; backward once; return the three leaves' gradients
    z = ((a + b) * c).sum()
    z.backward()
    return a.grad, b.grad, c.grad
    # END SOLUTION


def mean_of_squares_grad(x: torch.Tensor) -> torch.Tensor:
    """Gradient of out = mean(3·(x + 2)²) with respect to x.

    What: compute out, backward, return x.grad.
    Why: derive it by hand once, so you can check autograd (and tutorials).
    With n elements, out = (1/n)·Σ 3(xᵢ + 2)², so
        d out / d xᵢ = (1/n) · 3 · 2(xᵢ + 2) = 6(xᵢ + 2)/n.
    For n = 2 that is 3(xᵢ + 2).
    Example: x = [2., 3.] gives [12., 15.]. (A widely copied tutorial prints
    [4.5, 6.0] here; that is the gradient of a different function. Trust the
    derivation, then confirm it with autograd.)
    """
    # BEGIN SOLUTION compute out as the docstring defines it; backward; return the gradient stored on x
    out = (3 * (x + 2) ** 2).mean()
    out.backward()
    return x.grad
    # END SOLUTION


def double_no_grad(x: torch.Tensor) -> torch.Tensor:
    """Return 2·x computed inside a `with torch.no_grad():` block.

    Why: evaluation and parameter updates must not be recorded in the graph:
    under `no_grad` results have `requires_grad=False` and no `grad_fn`, which
    saves memory and keeps updates out of the next backward.
    Example: double_no_grad(torch.ones(2, requires_grad=True)).grad_fn is None.
    """
    # BEGIN SOLUTION
    with torch.no_grad():
        return 2 * x
    # END SOLUTION


def double_grad_disabled(x: torch.Tensor) -> torch.Tensor:
    """Return 2·x computed inside `with torch.set_grad_enabled(False):`.

    Why: `set_grad_enabled(flag)` is `no_grad` with a switch, handy in one loop
    that serves both training (True) and evaluation (False).
    Example: double_grad_disabled(torch.ones(2, requires_grad=True)).requires_grad is False.
    """
    # BEGIN SOLUTION
    with torch.set_grad_enabled(False):
        return 2 * x
    # END SOLUTION


def double_decorated(x: torch.Tensor) -> torch.Tensor:
    """Return 2·x through a helper function decorated with `@torch.no_grad()`.

    What: inside, define `def double(t): return 2 * t` decorated with
    `@torch.no_grad()`, and return `double(x)`.
    Why: the decorator form turns off gradient recording for a whole function,
    the usual way to write `predict` or `evaluate`.
    Example: double_decorated(torch.ones(2, requires_grad=True)).grad_fn is None.
    """
    # BEGIN SOLUTION
    @torch.no_grad()
    def double(t: torch.Tensor) -> torch.Tensor:
        return 2 * t

    return double(x)
    # END SOLUTION


def clip_and_report(parameters: list[torch.nn.Parameter], max_norm: float) -> tuple[float, float]:
    """Clip the parameters' gradients to a total L2 norm of at most `max_norm`.

    What: call `torch.nn.utils.clip_grad_norm_(parameters, max_norm)`; return
    (the total norm it returns, as a float; the total norm of the gradients after
    clipping, as a float).
    Why: one huge gradient (an exploding RNN, a bad batch) can wreck training;
    clipping rescales all gradients together so their joint norm is ≤ max_norm,
    keeping their direction.
    Example: gradients with total norm 5.0 and max_norm 1.0 → (5.0, ≈1.0).
    """
    # BEGIN SOLUTION clip, then measure the norm of all gradients stacked together
    total = torch.nn.utils.clip_grad_norm_(parameters, max_norm)
    after = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in parameters]))
    return float(total), float(after)
    # END SOLUTION


def minimise_product(steps: int = 100, lr: float = 0.01) -> torch.Tensor:
    """Minimise f(x) = (x₀ + 2)·(x₁ + 2) with SGD, from x = [1., 2.].

    What: x = torch.tensor([1., 2.], requires_grad=True); optimizer =
    torch.optim.SGD([x], lr=lr); repeat `steps` times: zero the gradients,
    compute f, backward, step. Return x detached.
    Why: this is the training loop every model uses, on a function small enough
    to follow by hand: ∂f/∂x₀ = x₁ + 2 and ∂f/∂x₁ = x₀ + 2.
    Example: after one step, x = [1 - 0.01·4, 2 - 0.01·3] = [0.96, 1.97].
    """
    # BEGIN SOLUTION the four lines of every training step, in order
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        f = (x[0] + 2) * (x[1] + 2)
        f.backward()
        optimizer.step()
    return x.detach()
    # END SOLUTION


class LegendreP3(torch.autograd.Function):
    """P₃(x) = ½(5x³ − 3x) with a hand-written backward.

    What: `forward(ctx, x)` saves x (`ctx.save_for_backward`) and returns P₃(x);
    `backward(ctx, grad_output)` returns grad_output · P₃'(x), where
    P₃'(x) = 1.5·(5x² − 1).
    Why: when an operation has no autograd formula (or a better one), you write
    forward and backward yourself; `torch.autograd.gradcheck` verifies the
    backward against finite differences, in float64.
    Example: LegendreP3.apply(torch.tensor([1.])) is [1.], with gradient [6.].
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION save x for backward, return P3(x)
        ctx.save_for_backward(x)
        return 0.5 * (5 * x**3 - 3 * x)
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION chain rule: upstream gradient times P3'(x)
        (x,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * x**2 - 1)
        # END SOLUTION
