"""Graded checks for ex01_tensors, one section per group of functions."""

import numpy as np
import torch

from grader import check

# --- creation ------------------------------------------------------------------


@check(points=1)
def tensor_from_nested_list(ex):
    """[[1, 2], [3, 4]] becomes a float32 2×2 tensor (not int64)."""
    return {"tensor": ex.tensor_from_list([[1, 2], [3, 4]])}


@check(points=2)
def numpy_memory_sharing(ex):
    """from_numpy shares the array's memory; torch.tensor copies it. Both keep float64."""
    first, second = np.arange(3, dtype=np.float64), np.arange(3, dtype=np.float64)
    shared, copied = ex.shared_from_numpy(first), ex.copied_from_numpy(second)
    first[0] = second[0] = 100.0
    return {"shared after the array changed": shared, "copied after the array changed": copied}


@check(points=2)
def factories(ex):
    """zeros/ones with the asked dtype, arange without its end, linspace with both ends."""
    zeros, ones = ex.zeros_and_ones(2, 3)
    integers, spaced = ex.ranges(5)
    return {"zeros": zeros, "ones": ones, "arange": integers, "linspace": spaced}


@check(points=1)
def random_factories(ex):
    """rand is uniform on [0, 1), randn standard normal; the exact numbers may differ."""
    uniform, normal = ex.random_tensors(200, 50)
    return {
        "rand.shape": tuple(uniform.shape),
        "rand.dtype": uniform.dtype,
        "rand within [0, 1)": bool((uniform >= 0).all() and (uniform < 1).all()),
        "rand mean near 0.5": abs(uniform.mean().item() - 0.5) < 0.02,
        "randn.shape": tuple(normal.shape),
        "randn.dtype": normal.dtype,
        "randn mean near 0": abs(normal.mean().item()) < 0.05,
        "randn std near 1": abs(normal.std().item() - 1) < 0.05,
    }


@check(points=1)
def like_factories(ex):
    """*_like copies shape and dtype; empty_like's values are never compared."""
    zeros, ones, empty = ex.like(torch.arange(6, dtype=torch.int32).reshape(2, 3))
    return {"zeros_like": zeros, "ones_like": ones, "empty_like.shape": tuple(empty.shape), "empty_like.dtype": empty.dtype}


# --- indexing ------------------------------------------------------------------


def _indexing(ex, x, i, j, k):
    signed = x.float() - x.float().mean()
    return {
        "row": ex.row(x, i),
        "column": ex.column(x, j),
        "bottom_right": ex.bottom_right(x, k),
        "positives": ex.positives(signed),
    }


@check(points=2)
def row_column_block_mask(ex):
    """On arange(20) as 4×5: row 1, column 2, the 2×2 bottom-right block, the positive entries."""
    return _indexing(ex, torch.arange(20).reshape(4, 5), 1, 2, 2)


@check(points=1, hidden=True)
def indexing_random(ex):
    rows, cols = (int(v) for v in torch.randint(3, 7, (2,)))
    x = torch.randint(-50, 50, (rows, cols))
    return _indexing(ex, x, int(torch.randint(rows, ())), int(torch.randint(cols, ())), 2)


# --- shapes --------------------------------------------------------------------


@check(points=2)
def reshape_flatten_unsqueeze_transpose(ex):
    return {
        "to_rows": ex.to_rows(torch.arange(12), 3),
        "to_rows of a transposed matrix": ex.to_rows(torch.arange(6).reshape(2, 3).T, 2),
        "flatten_images": ex.flatten_images(torch.arange(2 * 3 * 2 * 2).reshape(2, 3, 2, 2)),
        "add_batch_dim": ex.add_batch_dim(torch.arange(6).reshape(2, 3)),
        "swap_last_two": ex.swap_last_two(torch.arange(24).reshape(2, 3, 4)),
    }


@check(points=1)
def cat_and_stack(ex):
    a, b = torch.arange(6).reshape(2, 3), torch.arange(6, 12).reshape(2, 3)
    concatenated, stacked = ex.join(a, b)
    return {"cat": concatenated, "stack": stacked}


# --- maths ---------------------------------------------------------------------


@check(points=2)
def matrix_and_dot_products(ex):
    a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, -1.0]])
    return {"a @ b": ex.matrix_product(a, b), "dot": ex.dot(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]))}


# sqrt(‖x‖² + ‖y‖² − 2x·y) is a valid alternative; it loses a few digits in float32.
@check(points=2, rtol=1e-4, atol=1e-4)
def pairwise_distances_known(ex):
    """3-4-5 triangles: distances between known points."""
    x = torch.tensor([[0.0, 0.0], [3.0, 0.0]])
    y = torch.tensor([[3.0, 4.0], [0.0, 4.0], [0.0, 0.0]])
    return {"distances": ex.pairwise_distances(x, y)}


@check(points=1, hidden=True, rtol=1e-4, atol=1e-4)
def pairwise_distances_random(ex):
    n, m, d = (int(v) for v in torch.randint(2, 9, (3,)))
    return {"distances": ex.pairwise_distances(torch.randn(n, d), torch.randn(m, d))}


# --- statistics ----------------------------------------------------------------


@check(points=2)
def column_statistics(ex):
    """Mean, unbiased std (n − 1), max and argmax per column."""
    x = torch.tensor([[1.0, 4.0, -1.0], [3.0, 2.0, -5.0], [8.0, 0.0, -2.0]])
    mean, std, largest, where = ex.column_stats(x)
    return {"mean": mean, "std": std, "max": largest, "argmax": where}


@check(points=1, hidden=True)
def column_statistics_random(ex):
    mean, std, largest, where = ex.column_stats(torch.randn(int(torch.randint(4, 10, ())), 5))
    return {"mean": mean, "std": std, "max": largest, "argmax": where}
