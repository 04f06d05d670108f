"""Exercise 1 — tensors: creating, indexing, reshaping and computing with them.

A tensor is an n-dimensional array with a dtype (float32, int64, bool, ...), a
shape, and a device. Almost every PyTorch bug you will meet first is a wrong
dtype, a wrong shape, or a tensor that silently shares memory with another one.
These functions practise exactly that.
"""

import numpy as np
import torch


# --- creation ---------------------------------------------------------------------


def tensor_from_list(values: list) -> torch.Tensor:
    """A float32 tensor holding `values` (a possibly nested list of numbers).

    Why: `torch.tensor` infers the dtype from the data: `[1, 2]` gives int64,
    and integer tensors cannot hold gradients or fractions. Ask for the dtype.
    Example: tensor_from_list([[1, 2], [3, 4]]) → tensor([[1., 2.], [3., 4.]]).
    """
    # BEGIN SOLUTION
    return torch.tensor(values, dtype=torch.float32)
    # END SOLUTION


def shared_from_numpy(array: np.ndarray) -> torch.Tensor:
    """A tensor that shares memory with the NumPy `array` (no copy).

    Why: `torch.from_numpy` wraps the same buffer: changing the array changes
    the tensor, and the dtype (float64 for most NumPy arrays) is kept. Fast,
    but a source of surprises.
    Example: a = np.zeros(2); t = shared_from_numpy(a); a[0] = 5 → t[0] == 5.
    """
    # BEGIN SOLUTION
    return torch.from_numpy(array)
    # END SOLUTION


def copied_from_numpy(array: np.ndarray) -> torch.Tensor:
    """A tensor with a *copy* of the NumPy `array`'s data, same dtype.

    Why: `torch.tensor(array)` always copies, so later changes to the array do
    not reach the tensor.
    Example: a = np.zeros(2); t = copied_from_numpy(a); a[0] = 5 → t[0] == 0.
    """
    # BEGIN SOLUTION
    return torch.tensor(array)
    # END SOLUTION


def zeros_and_ones(rows: int, cols: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(float32 zeros of shape (rows, cols), int64 ones of shape (rows, cols)).

    Why: factories take a shape and a dtype; the default dtype is float32.
    Example: zeros_and_ones(1, 2) → (tensor([[0., 0.]]), tensor([[1, 1]])).
    """
    # BEGIN SOLUTION
    return torch.zeros(rows, cols), torch.ones(rows, cols, dtype=torch.int64)
    # END SOLUTION


def ranges(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(0, 1, ..., n-1 as int64; n evenly spaced float32 values from 0 to 1 inclusive).

    Why: `arange` excludes its end and follows the dtype of its arguments;
    `linspace` includes both ends and takes a number of steps.
    Example: ranges(3) → (tensor([0, 1, 2]), tensor([0.0, 0.5, 1.0])).
    """
    # BEGIN SOLUTION
    return torch.arange(n), torch.linspace(0, 1, n)
    # END SOLUTION


def random_tensors(rows: int, cols: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(uniform samples in [0, 1), standard normal samples), both float32 of shape (rows, cols).

    Why: `rand` and `randn` are how weights and test inputs are drawn; their
    shape and distribution matter, the exact numbers depend on the seed.
    Example: random_tensors(2, 3)[0].shape == (2, 3).
    """
    # BEGIN SOLUTION
    return torch.rand(rows, cols), torch.randn(rows, cols)
    # END SOLUTION


def like(t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(zeros like t, ones like t, an uninitialised tensor like t).

    Why: the `*_like` factories copy shape, dtype and device from another
    tensor, so code works whatever it is given. `empty_like` skips filling:
    its values are whatever was in memory, never read them before writing.
    Example: like(torch.ones(2, dtype=torch.int32))[0] → tensor([0, 0], dtype=torch.int32).
    """
    # BEGIN SOLUTION
    return torch.zeros_like(t), torch.ones_like(t), torch.empty_like(t)
    # END SOLUTION


# --- indexing and slicing ------------------------------------------------------------


def row(x: torch.Tensor, i: int) -> torch.Tensor:
    """Row `i` of the matrix `x`, as a 1-D tensor.

    Example: row(torch.tensor([[1, 2], [3, 4]]), 1) → tensor([3, 4]).
    """
    # BEGIN SOLUTION
    return x[i]
    # END SOLUTION


def column(x: torch.Tensor, j: int) -> torch.Tensor:
    """Column `j` of the matrix `x`, as a 1-D tensor.

    Why: `x[:, j]` keeps every row; `x[j]` would be a row.
    Example: column(torch.tensor([[1, 2], [3, 4]]), 1) → tensor([2, 4]).
    """
    # BEGIN SOLUTION
    return x[:, j]
    # END SOLUTION


def bottom_right(x: torch.Tensor, k: int) -> torch.Tensor:
    """The k×k block in the bottom-right corner of the matrix `x`.

    Why: negative indices count from the end; slices keep the dimension.
    Example: bottom_right(torch.arange(9).reshape(3, 3), 2) → tensor([[4, 5], [7, 8]]).
    """
    # BEGIN SOLUTION
    return x[-k:, -k:]
    # END SOLUTION


def positives(x: torch.Tensor) -> torch.Tensor:
    """The strictly positive entries of `x`, as a 1-D tensor in row-major order.

    Why: a boolean mask (`x > 0`) selects elements; the result is always 1-D.
    Example: positives(torch.tensor([[1., -2.], [0., 3.]])) → tensor([1., 3.]).
    """
    # BEGIN SOLUTION
    return x[x > 0]
    # END SOLUTION


# --- shapes --------------------------------------------------------------------------


def to_rows(x: torch.Tensor, rows: int) -> torch.Tensor:
    """`x`'s elements laid out as a matrix with `rows` rows (columns inferred).

    Why: `reshape(rows, -1)` infers one dimension. `view` does the same but only
    for memory it can reinterpret without a copy (it fails on a transposed
    tensor); `reshape` copies when it must.
    Example: to_rows(torch.arange(6), 2) → tensor([[0, 1, 2], [3, 4, 5]]).
    """
    # BEGIN SOLUTION
    return x.reshape(rows, -1)
    # END SOLUTION


def flatten_images(x: torch.Tensor) -> torch.Tensor:
    """A batch of images (N, C, H, W) flattened to (N, C·H·W), keeping the batch dimension.

    Why: a linear layer after convolutions wants one vector per sample;
    `torch.flatten(x)` without `start_dim=1` would also merge the batch.
    Example: flatten_images(torch.zeros(8, 3, 4, 4)).shape == (8, 48).
    """
    # BEGIN SOLUTION
    return torch.flatten(x, start_dim=1)
    # END SOLUTION


def join(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(a and b concatenated along dim 0, a and b stacked along a new dim 0).

    Why: `cat` joins along an existing dimension; `stack` adds a new one.
    Example: for a, b of shape (2, 3): cat → (4, 3), stack → (2, 2, 3).
    """
    # BEGIN SOLUTION
    return torch.cat([a, b], dim=0), torch.stack([a, b], dim=0)
    # END SOLUTION


def add_batch_dim(x: torch.Tensor) -> torch.Tensor:
    """`x` with a new leading dimension of size 1.

    Why: models expect a batch dimension; a single sample of shape (C, H, W)
    becomes (1, C, H, W) with `unsqueeze(0)` (or `x[None]`).
    Example: add_batch_dim(torch.zeros(3, 4)).shape == (1, 3, 4).
    """
    # BEGIN SOLUTION
    return x.unsqueeze(0)
    # END SOLUTION


def swap_last_two(x: torch.Tensor) -> torch.Tensor:
    """`x` with its last two dimensions swapped (a batch of matrices transposed).

    Why: `x.T` reverses *all* dimensions of a 3-D tensor; `transpose(-2, -1)`
    swaps only the last two.
    Example: swap_last_two(torch.zeros(5, 2, 3)).shape == (5, 3, 2).
    """
    # BEGIN SOLUTION
    return x.transpose(-2, -1)
    # END SOLUTION


# --- maths ---------------------------------------------------------------------------


def matrix_product(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The matrix product a @ b of an (n, k) and a (k, m) matrix.

    Why: `*` is elementwise; `@` (`torch.matmul`, `torch.mm`) is the matrix product.
    Example: matrix_product(torch.eye(2), b) equals b.
    """
    # BEGIN SOLUTION
    return a @ b
    # END SOLUTION


def dot(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """The dot product of two 1-D tensors, as a 0-d tensor.

    Example: dot(torch.tensor([1., 2.]), torch.tensor([3., 4.])) → tensor(11.).
    """
    # BEGIN SOLUTION
    return torch.dot(u, v)
    # END SOLUTION


def pairwise_distances(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Euclidean distances between every row of x (n, d) and every row of y (m, d): shape (n, m).

    Why: broadcasting replaces Python loops: x[:, None, :] - y[None, :, :] has
    shape (n, m, d); reduce over the last dimension.
    Example: pairwise_distances(torch.tensor([[0., 0.]]), torch.tensor([[3., 4.]])) → tensor([[5.]]).
    """
    # BEGIN SOLUTION
    return ((x[:, None, :] - y[None, :, :]) ** 2).sum(dim=-1).sqrt()
    # END SOLUTION


def column_stats(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per column of the matrix `x`: (mean, unbiased standard deviation, maximum, index of the maximum).

    Why: reductions take a `dim`: dim=0 reduces over rows, leaving one value per
    column. `std` is unbiased (divides by n − 1) by default, as statistics wants.
    Example: column_stats(torch.tensor([[1., 4.], [3., 2.]])) →
    (tensor([2., 3.]), tensor([1.4142, 1.4142]), tensor([3., 4.]), tensor([1, 0])).
    """
    # BEGIN SOLUTION
    largest, where = x.max(dim=0)
    return x.mean(dim=0), x.std(dim=0), largest, where
    # END SOLUTION
