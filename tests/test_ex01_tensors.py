"""Graded checks for ex01_tensors, one section per group of functions."""

import numpy as np
import torch

from grader import check, on_device


def _now(value):
    """A tensor's values as they are now: a later in-place change must not reach the observation."""
    return value.clone() if type(value) is torch.Tensor else value


# --- creation ------------------------------------------------------------------


@check(points=1)
def tensor_from_nested_list(ex):
    """[[1, 2], [3, 4]] becomes a float32 2×2 tensor (not int64)."""
    return {"tensor": ex.tensor_from_list([[1, 2], [3, 4]])}


@check(points=2)
def numpy_memory_sharing(ex):
    """from_numpy shares the array's memory (both ways); torch.tensor copies it. Both keep float64."""
    first, second = np.arange(3, dtype=np.float64), np.arange(3, dtype=np.float64)
    shared, copied = ex.shared_from_numpy(first), ex.copied_from_numpy(second)
    first[0] = second[0] = 100.0
    observed = {"shared after the array changed": _now(shared), "copied after the array changed": _now(copied)}
    shared[2] = copied[2] = -7.0
    observed["array after the shared tensor changed"] = torch.from_numpy(first.copy())
    observed["array after the copied tensor changed (a copy: unchanged)"] = torch.from_numpy(second.copy())
    return observed


@check(points=2)
def factories(ex):
    """zeros/ones with the asked dtype, arange without its end, linspace with both ends."""
    zeros, ones = ex.zeros_and_ones(2, 3)
    integers, spaced = ex.ranges(5)
    observed = {"zeros": zeros, "ones": ones, "arange": integers, "linspace": spaced}
    # n = 1 and n = 2: the ends of linspace (a hand-made arange(n) / (n - 1) divides by zero at n = 1).
    observed["ranges(1)"] = ex.ranges(1)
    observed["ranges(2)"] = ex.ranges(2)
    return observed


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
    """*_like copies shape and dtype into new tensors; t itself is unchanged; empty_like's values are never compared."""
    t = torch.arange(6, dtype=torch.int32).reshape(2, 3)
    zeros, ones, empty = ex.like(t)
    return {
        "zeros_like": zeros,
        "ones_like": ones,
        "empty_like.shape": tuple(empty.shape),
        "empty_like.dtype": empty.dtype,
        "t after the call (unchanged)": t,
    }


# --- indexing ------------------------------------------------------------------


def _indexing(ex, x, i, j, k, signed):
    """Row, column, block and positives; then the inputs as they are after the calls (none may change)."""
    observed = {
        "row": ex.row(x, i),
        "column": ex.column(x, j),
        "bottom_right": ex.bottom_right(x, k),
        "positives (strictly: 0 is not positive)": ex.positives(signed),
    }
    observed["x after the calls (unchanged)"] = x
    observed["signed after positives (unchanged)"] = signed
    return observed


@check(points=2)
def row_column_block_mask(ex):
    """On arange(20) as 4×5: row 1, column 2, the 2×2 bottom-right block; the positive entries of a matrix with zeros."""
    x = torch.arange(20).reshape(4, 5)
    signed = (x.float() - 10.0) * torch.tensor([1.0, -1.0, 0.0, 1.0, -0.5])  # a column of zeros, 0 at [2, 0], and -0.0
    observed = _indexing(ex, x, 1, 2, 2, signed)
    observed["bottom_right(x, 4) (every row)"] = ex.bottom_right(x, 4)
    observed["positives([[1, -2], [0, 3]])"] = ex.positives(torch.tensor([[1.0, -2.0], [0.0, 3.0]]))
    return observed


@check(points=1, hidden=True)
def indexing_random(ex):
    rows, cols = (int(v) for v in torch.randint(3, 7, (2,)))
    x = torch.randint(-50, 50, (rows, cols))
    signed = x.float() - x.float().mean()
    # Every seed: exact zeros (0 and -0.0), a negative and a positive entry, wherever they fall.
    places = torch.randperm(rows * cols)[:4]
    signed.view(-1)[places] = torch.tensor([0.0, -0.0, -3.5, 2.25])
    return _indexing(ex, x, int(torch.randint(rows, ())), int(torch.randint(cols, ())), 2, signed)


# --- shapes --------------------------------------------------------------------


@check(points=2)
def reshape_flatten_unsqueeze_transpose(ex):
    """New shapes for the results; the inputs keep theirs (no in-place unsqueeze_ or transpose_)."""
    inputs = {
        "to_rows": torch.arange(12),
        "flatten_images": torch.arange(2 * 3 * 2 * 2).reshape(2, 3, 2, 2),
        "add_batch_dim": torch.arange(6).reshape(2, 3),
        "swap_last_two": torch.arange(24).reshape(2, 3, 4),
    }
    before = {name: given.clone() for name, given in inputs.items()}
    observed = {
        "to_rows": ex.to_rows(inputs["to_rows"], 3),
        "to_rows of a transposed matrix": ex.to_rows(torch.arange(6).reshape(2, 3).T, 2),
        "flatten_images": ex.flatten_images(inputs["flatten_images"]),
        "add_batch_dim": ex.add_batch_dim(inputs["add_batch_dim"]),
        "swap_last_two": ex.swap_last_two(inputs["swap_last_two"]),
    }
    # Each input as it was given and as the call left it: a change in place (unsqueeze_, transpose_) gets its hint.
    observed["given"] = dict(before)
    observed["input"] = dict(inputs)
    return observed


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



# --- on a device -----------------------------------------------------------------
#
# A probe with a `device` runs on the CPU, on the meta device (shapes and dtypes, no data: on every machine)
# and on CUDA where there is one; the reference runs on the CPU. So these probes return facts that read the
# same everywhere: whether each result is on the device it was asked on, its dtype and shape. Values are
# compared by the CPU checks above.

@check(points=1, devices=("cpu", "meta", "cuda"))
def results_stay_on_the_device(ex, device):
    """Inputs on a device give results on that device: *_like follows t, no CPU tensor, NumPy or list inside."""
    t = torch.arange(6, dtype=torch.int32).reshape(2, 3)
    x, y = torch.randn(4, 3), torch.randn(5, 3)
    a, b = torch.randn(2, 3), torch.randn(2, 3)
    images = torch.randn(2, 3, 2, 2)
    calls = {
        "like(t)": lambda on: ex.like(t.to(on)),
        "pairwise_distances": lambda on: ex.pairwise_distances(x.to(on), y.to(on)),
        "column_stats": lambda on: ex.column_stats(x.to(on)),
        "matrix_product": lambda on: ex.matrix_product(x.to(on), y.T.to(on)),
        "dot": lambda on: ex.dot(x[0].to(on), y[0].to(on)),
        "join": lambda on: ex.join(a.to(on), b.to(on)),
        "to_rows": lambda on: ex.to_rows(x.to(on), 2),
        "flatten_images (keeps the batch dim)": lambda on: ex.flatten_images(images.to(on)),
        "add_batch_dim": lambda on: ex.add_batch_dim(x.to(on)),
        "swap_last_two": lambda on: ex.swap_last_two(images.to(on)),
    }
    return {name: on_device(device, call) for name, call in calls.items()}
