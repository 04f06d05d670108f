"""Exercise 13 — layers: convolution, pooling, batch norm, dropout, LSTM and embeddings by hand.

`nn.Conv2d`, `nn.BatchNorm1d`, `nn.LSTM` and friends are a few lines of tensor
maths each, plus conventions that are easy to get subtly wrong. Writing them
once, and checking them against PyTorch, is how you learn those conventions:

- a "convolution" in deep learning is a *cross-correlation*: the kernel slides
  over the input without being flipped; every output pixel is a dot product of
  one input patch with the kernel, so the whole layer is `unfold` + one matmul;
- output sizes follow one formula, ⌊(size + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1;
- batch norm normalises with the *biased* batch variance, but keeps an
  *unbiased* running variance, updated as running ← (1 − momentum)·running + momentum·batch;
- dropout rescales the kept activations by 1/(1 − p) in training, so that eval
  mode can be the identity;
- an LSTM cell is four gates (input, forget, cell candidate, output: i, f, g, o)
  computed by one matmul and split in that order;
- an embedding is a row lookup in a weight matrix.

Shapes follow PyTorch: images are (N, C, H, W), convolution weights
(C_out, C_in, kH, kW), sequences are batch first, (batch, time, features).
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

# --- convolution ------------------------------------------------------------------------


def conv_output_shape(size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """The length of a convolution's (or pooling's) output along one dimension.

    What: ⌊(size + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1, an int.
    Why: every CNN architecture is a chain of these; getting it wrong gives the
    "mat1 and mat2 shapes cannot be multiplied" error at the first Linear layer.
    `dilation·(kernel_size − 1) + 1` is the span the kernel covers; the last
    window must fit entirely, hence the floor; the first window is the "+ 1".
    Example: conv_output_shape(5, 3) → 3; conv_output_shape(5, 3, stride=2) → 2;
    conv_output_shape(6, 3, stride=2) → 2 (not 2.5); conv_output_shape(7, 3, dilation=2) → 3.
    """
    # BEGIN SOLUTION integer division does the floor; remember the + 1
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
    # END SOLUTION


def conv2d(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int = 1,
    padding: int = 0,
) -> torch.Tensor:
    """A 2-D convolution (cross-correlation, as `F.conv2d`), written as unfold + matmul.

    What: input (N, C_in, H, W), weight (C_out, C_in, kH, kW), optional bias
    (C_out,); zero padding `padding` on each side, step `stride` (ints, the same
    for both dimensions). Return (N, C_out, H_out, W_out), with H_out and W_out
    from `conv_output_shape`. Do not call `F.conv2d` or `nn.Conv2d`.
    Why: out[n, o, y, x] = bias[o] + Σ_{c, i, j} input[n, c, y·s + i, x·s + j] · weight[o, c, i, j].
    The kernel is *not* flipped: deep learning's "convolution" is the
    cross-correlation of signal processing (a learned kernel does not care).
    `F.unfold` (im2col) cuts every patch out as a column of length C_in·kH·kW;
    the whole layer is then one matrix product with the flattened weight, which
    is how fast convolutions are built.
    Example: the 5×5 input [[1,2,0,3,1],[0,1,2,3,1],[1,2,1,0,3],[5,2,3,1,1],[2,1,0,1,1]]
    with kernel [[1,2,1],[0,1,0],[2,1,0]] (as (1, 1, 5, 5) and (1, 1, 3, 3))
    gives [[10, 12, 12], [18, 16, 16], [13, 9, 6]]; with stride 2, [[10, 12], [13, 6]].
    """
    # BEGIN SOLUTION F.unfold the patches; weight as (C_out, C_in·kH·kW) @ patches; add the bias; reshape to (H_out, W_out)
    n, _, height, width = input.shape
    c_out, _, k_h, k_w = weight.shape
    h_out = conv_output_shape(height, k_h, stride, padding)
    w_out = conv_output_shape(width, k_w, stride, padding)
    patches = F.unfold(input, (k_h, k_w), padding=padding, stride=stride)  # (N, C_in·kH·kW, L)
    out = weight.reshape(c_out, -1) @ patches  # (N, C_out, L)
    if bias is not None:
        out = out + bias.reshape(1, c_out, 1)
    return out.reshape(n, c_out, h_out, w_out)
    # END SOLUTION


# --- pooling ----------------------------------------------------------------------------


def max_pool2d(input: torch.Tensor, kernel_size: int, stride: int | None = None, padding: int = 0) -> torch.Tensor:
    """2-D max pooling over square windows, as `F.max_pool2d` (no dilation, floor mode).

    What: input (N, C, H, W); each output value is the maximum of a
    kernel_size × kernel_size window; windows move by `stride`, which defaults
    to `kernel_size` (non-overlapping windows) when None; `padding` pads each
    side with −inf, so padding never wins a max. Return (N, C, H_out, W_out).
    Do not call `F.max_pool2d` or `nn.MaxPool2d`.
    Why: pooling halves the resolution of a feature map (kernel 2 → stride 2)
    and gives a little translation invariance. The default stride is the kernel
    size, not 1: `nn.MaxPool2d(2)` halves H and W. The gradient flows only to
    the maximum of each window.
    Example: max_pool2d(torch.arange(16.).reshape(1, 1, 4, 4), 2) → [[[[5., 7.], [13., 15.]]]].
    """
    # BEGIN SOLUTION pad with -inf, cut windows with Tensor.unfold on dims 2 and 3, take the max over the window
    if stride is None:
        stride = kernel_size
    if padding:
        input = F.pad(input, (padding, padding, padding, padding), value=-math.inf)
    windows = input.unfold(2, kernel_size, stride).unfold(3, kernel_size, stride)  # (N, C, H_out, W_out, k, k)
    return windows.flatten(-2).max(dim=-1).values
    # END SOLUTION


# --- batch normalisation ----------------------------------------------------------------


class BatchNorm1d(nn.Module):
    """Batch normalisation over (N, C) or (N, C, L) inputs, as `nn.BatchNorm1d`.

    What:
    - `__init__(num_features, eps=1e-5, momentum=0.1)`: keep eps and momentum;
      parameters `weight` = ones(C) and `bias` = zeros(C); buffers (with
      `register_buffer`) `running_mean` = zeros(C), `running_var` = ones(C) and
      `num_batches_tracked` = tensor(0) (int64). These are nn.BatchNorm1d's
      names, so state_dicts load into each other.
    - `forward(x)`: statistics per channel C, over every other dimension (the
      batch, and the length L if there is one). In training: normalise with the
      batch mean and the *biased* batch variance (divide by n), and, without
      recording gradients, update
          running_mean ← (1 − momentum)·running_mean + momentum·mean
          running_var  ← (1 − momentum)·running_var  + momentum·var_unbiased
      (var_unbiased divides by n − 1) and add 1 to num_batches_tracked. In eval:
      normalise with the running statistics and change nothing. Return
          (x − mean) / sqrt(var + eps) · weight + bias.
    Do not call `F.batch_norm` or `nn.BatchNorm1d`.
    Why: normalising each layer's inputs makes deep networks train faster. The
    running statistics estimate the population, so eval gives one fixed answer
    per sample, independent of the batch. PyTorch's "momentum" is the weight of
    the *new* batch (0.1), the opposite of an optimizer's momentum.
    Example: bn = BatchNorm1d(2); bn(torch.tensor([[1., 2.], [3., 6.]])) →
    [[-1., -1.], [1., 1.]] (up to eps); then bn.running_mean → [0.2, 0.4] and
    bn.running_var → [0.9 + 0.1·2, 0.9 + 0.1·8] = [1.1, 1.7].
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        # BEGIN SOLUTION keep eps and momentum; two nn.Parameters; three buffers with nn.BatchNorm1d's names
        self.eps = eps
        self.momentum = momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION stats over every dim but 1; training: biased var normalises, unbiased var updates the buffer; eval: buffers
        dims = [0] + list(range(2, x.dim()))
        shape = [1, -1] + [1] * (x.dim() - 2)  # broadcast per-channel values against x
        if self.training:
            n = x.numel() // x.shape[1]
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, unbiased=False)
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * n / (n - 1))
                self.num_batches_tracked += 1
        else:
            mean, var = self.running_mean, self.running_var
        normalised = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + self.eps)
        return normalised * self.weight.reshape(shape) + self.bias.reshape(shape)
        # END SOLUTION


# --- dropout ----------------------------------------------------------------------------


def dropout(x: torch.Tensor, p: float = 0.5, training: bool = True) -> torch.Tensor:
    """Inverted dropout, as `F.dropout`.

    What: in training, zero each element independently with probability p and
    multiply the survivors by 1/(1 − p); in eval (`training=False`), and for
    p = 0, return x unchanged. p = 1 drops everything: return zeros (not NaN).
    Raise ValueError when p is outside [0, 1]. Do not modify x in place, and do
    not call `F.dropout` or `nn.Dropout`.
    Why: dropping random units stops them co-adapting. The 1/(1 − p) keeps the
    expected value of every activation the same in training and eval, so that
    eval mode needs no correction at all: forget it, and the next layer sees
    activations (1 − p) times smaller in training than in eval.
    Example: dropout(torch.ones(8), 0.5) → eight values, each 0. or 2.;
    dropout(x, 0.5, training=False) → x.
    """
    # BEGIN SOLUTION check p; x in eval or for p = 0; zeros for p = 1; else x times a keep mask (rand >= p), over 1 - p
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = torch.rand_like(x) >= p
    return x * keep / (1.0 - p)
    # END SOLUTION


# --- LSTM -------------------------------------------------------------------------------


class LSTMCell(nn.Module):
    """One step of an LSTM, as `nn.LSTMCell`.

    What:
    - `__init__(input_size, hidden_size)`: parameters with nn.LSTMCell's names
      and shapes, weight_ih (4H, input_size), weight_hh (4H, H), bias_ih (4H,),
      bias_hh (4H,), each drawn uniformly from [−1/√H, 1/√H].
    - `forward(input, hx=None)`: input (B, input_size), hx = (h, c), each
      (B, H), zeros when None. Compute
          gates = input @ weight_ihᵀ + bias_ih + h @ weight_hhᵀ + bias_hh   (B, 4H)
      and split it into four chunks of H columns, IN THIS ORDER: i, f, g, o;
          i, f, o = sigmoid(...);  g = tanh(...)
          c' = f·c + i·g;  h' = o·tanh(c')
      Return (h', c'). Do not call `nn.LSTMCell`'s forward or `torch.lstm_cell`.
    Why: the cell state c is a conveyor belt: the forget gate scales it, the
    input gate adds the candidate g, the output gate decides how much of it to
    show as h. Because c' is a sum rather than a product of matrices, gradients
    survive many steps. PyTorch stores the four gates' weights stacked in one
    matrix, in the order i, f, g, o: copy a trained nn.LSTM's weights into your
    cell with another order and every output is wrong.
    Example: cell = LSTMCell(3, 5); cell.load_state_dict(nn.LSTMCell(3, 5).state_dict())
    works; h, c = cell(torch.randn(2, 3)) gives two (2, 5) tensors.
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        # BEGIN SOLUTION keep hidden_size; four nn.Parameters with nn.LSTMCell's names, uniform in ±1/sqrt(H)
        self.input_size = input_size
        self.hidden_size = hidden_size
        bound = 1.0 / math.sqrt(hidden_size)
        self.weight_ih = nn.Parameter(torch.empty(4 * hidden_size, input_size).uniform_(-bound, bound))
        self.weight_hh = nn.Parameter(torch.empty(4 * hidden_size, hidden_size).uniform_(-bound, bound))
        self.bias_ih = nn.Parameter(torch.empty(4 * hidden_size).uniform_(-bound, bound))
        self.bias_hh = nn.Parameter(torch.empty(4 * hidden_size).uniform_(-bound, bound))
        # END SOLUTION

    def forward(
        self, input: torch.Tensor, hx: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        # BEGIN SOLUTION zero state if hx is None; one gates matrix; chunk(4, dim=1) in the order i, f, g, o
        if hx is None:
            zeros = input.new_zeros(input.shape[0], self.hidden_size)
            hx = (zeros, zeros)
        h, c = hx
        gates = input @ self.weight_ih.T + self.bias_ih + h @ self.weight_hh.T + self.bias_hh
        i, f, g, o = gates.chunk(4, dim=1)
        c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h_next = torch.sigmoid(o) * torch.tanh(c_next)
        return h_next, c_next
        # END SOLUTION


def lstm_unroll(
    cell: nn.Module, x: torch.Tensor, hx: tuple[torch.Tensor, torch.Tensor] | None = None
) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
    """Run an LSTM cell over a batch-first sequence, returning what a 1-layer `nn.LSTM` returns.

    What: x is (B, T, input_size); `cell` is an LSTM cell (yours or
    `nn.LSTMCell`): `cell(x_t, (h, c))` → (h, c). hx, if given, is (h_0, c_0)
    as nn.LSTM takes it, each (1, B, H); None means zeros. Step through t = 0 …
    T − 1 and return (output, (h_n, c_n)) with output (B, T, H), the h of every
    step, and h_n, c_n of shape (1, B, H), the last step's state.
    Why: this is exactly `nn.LSTM(input_size, H, batch_first=True)` with one
    layer: the same weights (weight_ih_l0 → weight_ih, ...) give the same
    numbers. Note the shapes: batch_first applies to input and output only;
    h_n and c_n are always (num_layers · directions, B, H).
    Example: output, (h_n, c_n) = lstm_unroll(nn.LSTMCell(3, 5), torch.randn(2, 7, 3))
    → shapes (2, 7, 5), (1, 2, 5), (1, 2, 5), and output[:, -1] equals h_n[0].
    """
    # BEGIN SOLUTION loop over x[:, t]; keep every h; stack them on dim 1; unsqueeze the last state to (1, B, H)
    state = None if hx is None else (hx[0][0], hx[1][0])
    outputs = []
    for t in range(x.shape[1]):
        state = cell(x[:, t], state)
        outputs.append(state[0])
    h_n, c_n = state
    return torch.stack(outputs, dim=1), (h_n.unsqueeze(0), c_n.unsqueeze(0))
    # END SOLUTION


def lstm_shapes(
    batch: int, seq_len: int, hidden_size: int, num_layers: int = 1, bidirectional: bool = False
) -> tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]:
    """The shapes of (output, h_n, c_n) of `nn.LSTM(..., num_layers, bidirectional, batch_first=True)`.

    What: return three tuples of ints, without building an LSTM:
    output (batch, seq_len, D·hidden_size), h_n and c_n (D·num_layers, batch,
    hidden_size), where D = 2 if bidirectional else 1.
    Why: the classic surprise: batch_first=True changes input and output only,
    never h_n and c_n, whose first dimension indexes layers and directions. For
    a classifier on the last state of a 2-layer bidirectional LSTM you want
    h_n[-2:] (the top layer, both directions), not h_n[:, -1].
    Example: lstm_shapes(4, 10, 32, num_layers=2, bidirectional=True)
    → ((4, 10, 64), (4, 4, 32), (4, 4, 32)).
    """
    # BEGIN SOLUTION D = 2 if bidirectional else 1; only the output is batch first
    directions = 2 if bidirectional else 1
    state = (directions * num_layers, batch, hidden_size)
    return (batch, seq_len, directions * hidden_size), state, state
    # END SOLUTION


# --- embedding --------------------------------------------------------------------------


def embedding(indices: torch.Tensor, weight: torch.Tensor, padding_idx: int | None = None) -> torch.Tensor:
    """Look rows of `weight` up by index, as `F.embedding` / `nn.Embedding`.

    What: indices is an int64 tensor of any shape S; weight is
    (num_embeddings, dim). Return the (*S, dim) tensor whose entry at position s
    is weight[indices[s]]. If padding_idx is given, positions holding it still
    return that row, but send NO gradient into weight[padding_idx]. Do not call
    `F.embedding` or `nn.Embedding`.
    Why: an embedding layer is a learnable lookup table: one row per token id,
    trained by the gradients of the rows that were looked up (a row used twice
    gets the sum of both). It is the same as one_hot(indices) @ weight, without
    building the one-hot matrix. padding_idx marks the id used to pad sequences
    to equal length: its row must not be trained (nn.Embedding also initialises
    it to zeros, which is why padding contributes nothing).
    Example: embedding(torch.tensor([[0, 2], [2, 1]]), torch.eye(3)) →
    [[[1, 0, 0], [0, 0, 1]], [[0, 0, 1], [0, 1, 0]]].
    """
    # BEGIN SOLUTION index the weight with the indices; for padding_idx, take those positions from a detached weight
    rows = weight[indices]
    if padding_idx is None:
        return rows
    is_padding = (indices == padding_idx).unsqueeze(-1)
    return torch.where(is_padding, weight.detach()[indices], rows)
    # END SOLUTION
