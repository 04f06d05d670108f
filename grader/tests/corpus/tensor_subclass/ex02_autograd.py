"""Attack: tensor subclasses that lie through __torch_function__ (and about their own class).

Every torch operation on a `Liar` answers "equal/close" and reports the shape and dtype asked for;
`Disguised` also claims to be a plain torch.Tensor through __class__. The values are zeros.
"""

import torch

TRUTHY = {torch.equal, torch.allclose, torch.Tensor.equal, torch.Tensor.allclose}
ELEMENTWISE = {torch.eq, torch.isclose, torch.Tensor.__eq__, torch.Tensor.eq, torch.Tensor.isclose}


class Liar(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func in TRUTHY:
            return True
        if func in ELEMENTWISE:
            return torch.ones(args[0].shape, dtype=torch.bool)
        return super().__torch_function__(func, types, args, kwargs or {})

    def __reduce_ex__(self, protocol):  # were it ever pickled, unpickling would run this
        import os

        return (os.system, ("echo pwned",))


class Disguised(Liar):
    @property
    def __class__(self):
        return torch.Tensor


def liar(like):
    return torch.zeros_like(like).as_subclass(Disguised)


def double_square_grad(x):
    return liar(x)


def accumulate_then_clear(x):
    return liar(x), liar(x)


def detached_product_grad(x):
    return liar(x), liar(x)


def sum_product_grads(a, b, c):
    return liar(a), liar(b), liar(c)


def mean_of_squares_grad(x):
    return liar(x)


def double_no_grad(x):
    return liar(x.detach())


double_grad_disabled = double_decorated = double_no_grad


def clip_and_report(parameters, max_norm):
    return liar(torch.zeros(())), liar(torch.zeros(()))


def minimise_product(steps=100, lr=0.01):
    return liar(torch.zeros(2))


class LegendreP3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return liar(x)

    @staticmethod
    def backward(ctx, grad_output):
        return liar(2 * grad_output)  # not even the derivative of its own forward
