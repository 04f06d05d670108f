"""Attack: return objects that claim to equal anything (__eq__, __bool__, __float__, numpy hooks)."""


class Anything:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __bool__(self):
        return True

    def __float__(self):
        return 0.0

    def __len__(self):
        return 4

    def __iter__(self):
        return iter([Anything(), Anything(), Anything()])

    def __getitem__(self, key):
        return Anything()

    def __getattr__(self, name):
        return Anything()

    def __array__(self, *args, **kwargs):
        raise RuntimeError("no")

    __hash__ = object.__hash__


class LyingFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class LyingDict(dict):
    def __eq__(self, other):
        return True

    def __getitem__(self, key):
        return Anything()


def double_square_grad(x):
    return Anything()


def accumulate_then_clear(x):
    return Anything(), Anything()


def detached_product_grad(x):
    return Anything()


def sum_product_grads(a, b, c):
    return LyingDict()


def mean_of_squares_grad(x):
    return LyingFloat(0.0)


def double_no_grad(x):
    return Anything()


double_grad_disabled = double_decorated = double_no_grad


def clip_and_report(parameters, max_norm):
    return LyingFloat(0.0), LyingFloat(0.0)


def minimise_product(steps=100, lr=0.01):
    return Anything()


class LegendreP3:
    apply = staticmethod(lambda x: Anything())
