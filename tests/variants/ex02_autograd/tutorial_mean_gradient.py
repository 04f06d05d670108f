"""Sums instead of averaging (the 1/n is lost), and does not detach u (gradient 3x²)."""

VERDICTS = {
    "mean_of_squares_at_2_3": ("failed", "expected 15, got 30"),
    "mean_of_squares_random": ("failed", "'grad'"),
    "detach_makes_a_constant": ("failed", "'u.requires_grad (detached: False)'"),
}
DIAGNOSIS = {"detach_makes_a_constant": "detach", "*": ("sum instead of a mean", "1/n")}


def mean_of_squares_grad(x):
    (3 * (x + 2) ** 2).sum().backward()
    return x.grad


def detached_product_grad(x):
    u = x * x
    (u * x).sum().backward()
    return x.grad, u
