"""Exercise 17 — attention: scaled dot-product attention, multi-head attention, a transformer block, a tiny LM.

Attention is a soft dictionary lookup. Each query asks every key "how relevant
are you?" (a dot product), the answers become weights that sum to 1 (a softmax
over the keys), and the output is the weighted mean of the values:

    Attention(Q, K, V) = softmax(Q Kᵀ / √d + mask) V

- **Scaling**: with d-dimensional vectors of unit variance, q·k has variance d;
  dividing by √d (not d) brings the scores back to unit variance, so the
  softmax is neither saturated (one-hot, no gradient) nor flat.
- **Masks** decide who may look at whom. `F.scaled_dot_product_attention` takes
  a boolean mask where True means *may attend*, or a float mask *added* to the
  scores (−inf forbids). A **causal** mask lets position i see positions ≤ i
  only: a language model must not peek at the token it is asked to predict.
  Careful: `nn.MultiheadAttention` uses the opposite boolean convention
  (True = *masked out*) for its attn_mask and key_padding_mask.
- **Multi-head** attention runs h attentions side by side on d/h-dimensional
  slices of learned projections: split the last dimension into heads, move the
  head dimension next to the batch, attend, and merge back.
- A **transformer encoder block** (pre-norm, as in GPT-2 and most modern
  models) is x + attention(norm(x)), then x + feedforward(norm(x)). Attention
  mixes positions; the feedforward network transforms each position alone.
- Attention ignores order: **positional encodings** (sinusoids of geometrically
  spaced frequencies) are added to the token embeddings to tell positions apart.

With these parts, a character-level causal language model on a 40-character
text takes a few lines, and one training step is the classic next-token
cross-entropy: the input is the text without its last character, the target
the text without its first.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

TEXT = "to be or not to be, that is the question"

# --- scaled dot-product attention ---------------------------------------------------------


def causal_mask(size: int, key_size: int | None = None, device: torch.device | str | None = None) -> torch.Tensor:
    """The boolean causal mask, True where query i may attend to key j (j ≤ i).

    What: a (size, key_size) bool tensor (key_size defaults to size) with True
    on and below the diagonal, False above it, on `device`. This is the mask
    `F.scaled_dot_product_attention(..., is_causal=True)` uses, also when
    size ≠ key_size: aligned at the top-left corner.
    Why: a model that predicts token i + 1 from tokens 0 … i must never see
    token i + 1 itself, or training teaches it to copy. With True meaning
    "may attend" (F.scaled_dot_product_attention's convention), the causal
    mask is the lower triangle, diagonal included: every position sees itself.
    Example: causal_mask(3) → [[True, False, False], [True, True, False],
    [True, True, True]].
    """
    # BEGIN SOLUTION a square or rectangular matrix of ones, keep the lower triangle (diagonal included), as bool
    key_size = size if key_size is None else key_size
    return torch.ones(size, key_size, dtype=torch.bool, device=device).tril()
    # END SOLUTION


def scaled_dot_product_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attn_mask: torch.Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    *,
    training: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Attention by hand, as `F.scaled_dot_product_attention`, also returning the weights.

    What: query (..., L, E), key (..., S, E), value (..., S, Ev), with the same
    leading (batch, head) dimensions. Compute the scores Q Kᵀ · scale, with
    scale = 1/√E unless given; then the mask, broadcast to (..., L, S):
      - a bool attn_mask: True may attend, False may not (its score → −inf);
      - a float attn_mask: added to the scores;
      - is_causal=True: the causal mask (`causal_mask(L, S)`); raise ValueError
        if attn_mask is given too.
    weights = softmax of the scores over the keys (the last dimension), where a
    row whose keys are all forbidden gets weights 0 (not NaN), as PyTorch does.
    In training (`training=True`) with dropout_p > 0, apply dropout to the
    weights (zero each with probability dropout_p, scale the rest by
    1/(1 − dropout_p)); never in eval. Return (weights @ value, weights): the
    output (..., L, Ev) and the weights (..., L, S) that produced it. Do not
    call `F.scaled_dot_product_attention`, and do not modify the inputs.
    Why: each output row is a weighted mean of the value rows, the weights
    telling how much each key matches the query. Dividing by √E keeps the
    scores of unit variance: divide by E and the softmax goes flat, by nothing
    and it saturates. The softmax runs over the keys: over the queries, the
    weights of one query would not sum to 1.
    Example: query [[1., 0.]] and keys [[√2·ln 3, 0.], [0., 1.]] (E = 2, so
    scale = 1/√2) give scores [ln 3, 0] and weights [[0.75, 0.25]]: the output
    is 0.75·value[0] + 0.25·value[1].
    """
    # BEGIN SOLUTION scores = q @ kᵀ · scale; apply the bool, float or causal mask; softmax over keys; zero all-masked rows; dropout in training; weights @ v
    if is_causal and attn_mask is not None:
        raise ValueError("attn_mask and is_causal exclude each other: give one of them")
    length, source = query.shape[-2], key.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    scores = query @ key.transpose(-2, -1) * scale
    if is_causal:
        attn_mask = causal_mask(length, source, device=query.device)
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask
    blocked = torch.isneginf(scores).all(dim=-1, keepdim=True)  # rows with nothing to attend to
    weights = torch.softmax(scores.masked_fill(blocked, 0.0), dim=-1).masked_fill(blocked, 0.0)
    if training:  # dropout with p = 0 changes nothing
        weights = F.dropout(weights, p=dropout_p)
    return weights @ value, weights
    # END SOLUTION


# --- multi-head attention -----------------------------------------------------------------


class MultiHeadAttention(nn.Module):
    """Multi-head attention, as `nn.MultiheadAttention(embed_dim, num_heads, dropout, batch_first=True)`.

    What:
    - `__init__(embed_dim, num_heads, dropout=0.0)`: raise ValueError unless
      num_heads divides embed_dim. Keep embed_dim, num_heads, head_dim =
      embed_dim // num_heads and dropout. Parameters with nn.MultiheadAttention's
      names, so that its state_dict loads into yours: `in_proj_weight`
      (3·embed_dim, embed_dim), the query, key and value projections stacked in
      that order, initialised with nn.init.xavier_uniform_; `in_proj_bias`
      (3·embed_dim,) zeros; `out_proj` = nn.Linear(embed_dim, embed_dim) with a
      zero bias.
    - `forward(query, key, value, key_padding_mask=None, need_weights=True,
      attn_mask=None, average_attn_weights=True)`: query (B, L, E), key and
      value (B, S, E). Project (q, k, v with their slice of in_proj_weight and
      in_proj_bias), split each into heads: (B, L, E) → (B, L, H, D) →
      (B, H, L, D), attend with your `scaled_dot_product_attention` (dropout
      `self.dropout`, only in training mode), merge the heads back to
      (B, L, E) and apply out_proj. Masks follow nn.MultiheadAttention, where a
      bool True means *masked out* (the opposite of F.scaled_dot_product_attention):
      attn_mask (L, S) and key_padding_mask (B, S, True at padding) are bool
      (True → −inf) or float (added); both may be given. Return (output, weights):
      weights (B, L, S) averaged over the heads, or (B, H, L, S) with
      average_attn_weights=False, or None when need_weights is False.
    Why: each head attends with its own projections, to different things (one
    to the previous token, one to the subject of the sentence, ...). Splitting
    heads is a view of the last dimension, (L, E) → (L, H, D), then a
    transpose: reshaping (B, L, E) straight to (B, H, L, D) would give each
    "head" pieces of several positions and mix everything up.
    Example: mha = MultiHeadAttention(8, 2); mha.load_state_dict(nn.MultiheadAttention(8, 2,
    batch_first=True).state_dict()) works, and both give the same output.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0) -> None:
        super().__init__()
        # BEGIN SOLUTION check divisibility; keep the sizes; in_proj_weight (xavier), in_proj_bias (zeros), out_proj (zero bias)
        if embed_dim % num_heads != 0:
            raise ValueError(f"embed_dim {embed_dim} must be a multiple of num_heads {num_heads}")
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        self.dropout = dropout
        self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dim))
        self.out_proj = nn.Linear(embed_dim, embed_dim)
        nn.init.xavier_uniform_(self.in_proj_weight)
        nn.init.zeros_(self.out_proj.bias)
        # END SOLUTION

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        key_padding_mask: torch.Tensor | None = None,
        need_weights: bool = True,
        attn_mask: torch.Tensor | None = None,
        average_attn_weights: bool = True,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        # BEGIN SOLUTION project with the three slices; split heads (view, then transpose); one additive mask; attend; merge heads; out_proj
        batch, length, _ = query.shape
        source = key.shape[1]
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = self.in_proj_bias.chunk(3)

        def heads(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
            projected = F.linear(x, weight, bias)  # (B, T, E)
            return projected.view(x.shape[0], x.shape[1], self.num_heads, self.head_dim).transpose(1, 2)

        def additive(mask: torch.Tensor) -> torch.Tensor:
            if mask.dtype == torch.bool:
                return torch.zeros(mask.shape, dtype=query.dtype, device=query.device).masked_fill(mask, float("-inf"))
            return mask

        q, k, v = heads(query, w_q, b_q), heads(key, w_k, b_k), heads(value, w_v, b_v)
        mask = None
        if attn_mask is not None:
            mask = additive(attn_mask)  # (L, S) broadcasts over (B, H, L, S)
        if key_padding_mask is not None:
            padding = additive(key_padding_mask).view(batch, 1, 1, source)
            mask = padding if mask is None else mask + padding
        out, weights = scaled_dot_product_attention(q, k, v, mask, dropout_p=self.dropout, training=self.training)
        out = self.out_proj(out.transpose(1, 2).reshape(batch, length, self.embed_dim))
        if not need_weights:
            return out, None
        return out, weights.mean(dim=1) if average_attn_weights else weights
        # END SOLUTION


# --- positions and the transformer block --------------------------------------------------


def sinusoidal_positional_encoding(max_len: int, d_model: int) -> torch.Tensor:
    """The sinusoidal position encodings of "Attention Is All You Need": (max_len, d_model), float32.

    What: for position pos and i = 0, 1, …: PE[pos, 2i] = sin(pos · ω_i) and
    PE[pos, 2i + 1] = cos(pos · ω_i), with ω_i = 10000^(−2i / d_model); sines
    in the even columns, cosines in the odd ones, interleaved. For an odd
    d_model the last column is a sine (there is one more sine than cosines).
    Why: attention treats its input as a set; adding PE to the embeddings tells
    positions apart. Frequencies spaced geometrically from 1 to 1/10000 give
    every position a unique pattern, and PE[pos + k] is a fixed rotation of
    PE[pos], so relative offsets are easy to learn. Row 0 is [0, 1, 0, 1, …].
    Example: sinusoidal_positional_encoding(2, 4)[1] →
    [sin 1, cos 1, sin 0.01, cos 0.01] ≈ [0.8415, 0.5403, 0.0100, 1.0000].
    """
    # BEGIN SOLUTION positions as a column; ω for the even indices; sin into columns 0::2, cos into 1::2 (one fewer when d is odd)
    position = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)
    frequencies = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))
    encoding = torch.empty(max_len, d_model)
    encoding[:, 0::2] = torch.sin(position * frequencies)
    encoding[:, 1::2] = torch.cos(position * frequencies[: d_model // 2])
    return encoding
    # END SOLUTION


class TransformerEncoderBlock(nn.Module):
    """A pre-norm transformer encoder block, as `nn.TransformerEncoderLayer(norm_first=True, batch_first=True, dropout=0)`.

    What:
    - `__init__(d_model, nhead, dim_feedforward)`: submodules with
      nn.TransformerEncoderLayer's names: `self_attn` = your
      MultiHeadAttention(d_model, nhead), `linear1` = Linear(d_model,
      dim_feedforward), `linear2` = Linear(dim_feedforward, d_model), `norm1`
      and `norm2` = LayerNorm(d_model).
    - `forward(src, src_mask=None, src_key_padding_mask=None, is_causal=False)`:
      src (B, T, d_model); the masks as nn.MultiheadAttention takes them (src_mask
      (T, T), bool True = masked out, or float; src_key_padding_mask (B, T)).
      With is_causal=True and no src_mask, use the causal mask (careful with the
      convention: `causal_mask` says True where attending is allowed). Then
          x = src + self_attn(norm1(src), same, same, masks, need_weights=False)[0]
          out = x + linear2(relu(linear1(norm2(x))))
    Why: the residual connections (x + ...) let gradients pass straight
    through many blocks; normalising *before* each sublayer (pre-norm) keeps
    that path clean and trains more stably than the original post-norm
    (norm(x + sublayer(x))). Note that the residual adds the *input*, not its
    normalised version.
    Example: block = TransformerEncoderBlock(16, 4, 32); loading the state_dict of
    nn.TransformerEncoderLayer(16, 4, 32, dropout=0, batch_first=True, norm_first=True)
    gives the same output.
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int) -> None:
        super().__init__()
        # BEGIN SOLUTION self_attn, linear1, linear2, norm1, norm2 with nn.TransformerEncoderLayer's names
        self.self_attn = MultiHeadAttention(d_model, nhead)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        # END SOLUTION

    def forward(
        self,
        src: torch.Tensor,
        src_mask: torch.Tensor | None = None,
        src_key_padding_mask: torch.Tensor | None = None,
        is_causal: bool = False,
    ) -> torch.Tensor:
        # BEGIN SOLUTION causal: mask = NOT causal_mask (True = masked out here); x + attention(norm1(x)); x + feedforward(norm2(x))
        if is_causal and src_mask is None:
            src_mask = ~causal_mask(src.shape[1], device=src.device)
        normed = self.norm1(src)
        attended, _ = self.self_attn(
            normed, normed, normed, key_padding_mask=src_key_padding_mask, attn_mask=src_mask, need_weights=False
        )
        x = src + attended
        return x + self.linear2(F.relu(self.linear1(self.norm2(x))))
        # END SOLUTION


# --- a tiny causal language model ---------------------------------------------------------


def char_vocab(text: str) -> tuple[list[str], torch.Tensor]:
    """A character-level vocabulary and the text encoded with it.

    What: vocab = the distinct characters of `text`, sorted; ids = the index in
    vocab of every character of text, an int64 tensor of shape (len(text),).
    Why: the simplest tokenizer: one token per character. Sorting makes the
    ids independent of the order characters first appear in, so two runs (or
    two people) get the same vocabulary from the same text.
    Example: char_vocab("abba") → (["a", "b"], tensor([0, 1, 1, 0])).
    """
    # BEGIN SOLUTION sorted(set(text)); a dict from character to index; a long tensor of the indices
    vocab = sorted(set(text))
    index = {character: i for i, character in enumerate(vocab)}
    return vocab, torch.tensor([index[character] for character in text], dtype=torch.long)
    # END SOLUTION


class TinyCausalLM(nn.Module):
    """A tiny causal transformer language model: embeddings, positions, blocks, a head.

    What:
    - `__init__(vocab_size, d_model=32, nhead=4, num_layers=1, dim_feedforward=64,
      max_len=64)`: `embedding` = nn.Embedding(vocab_size, d_model); a buffer
      `positions` = sinusoidal_positional_encoding(max_len, d_model), not part
      of the state_dict (`register_buffer(..., persistent=False)`); `blocks` =
      an nn.ModuleList of num_layers TransformerEncoderBlock(d_model, nhead,
      dim_feedforward); `norm` = nn.LayerNorm(d_model); `head` =
      nn.Linear(d_model, vocab_size).
    - `forward(tokens)`: tokens (B, T) int64, T ≤ max_len (ValueError
      otherwise). x = embedding(tokens) + positions[:T]; each block with
      is_causal=True; then norm and head. Return the logits (B, T, vocab_size):
      logits[:, t] predict token t + 1 from tokens 0 … t only.
    Why: this is GPT in miniature. The causal mask is what makes it a language
    model: the logits at position t must not depend on any later token,
    otherwise training "predicts" tokens the model can already see.
    Example: TinyCausalLM(12)(torch.zeros(2, 5, dtype=torch.long)).shape → (2, 5, 12).
    """

    def __init__(
        self,
        vocab_size: int,
        d_model: int = 32,
        nhead: int = 4,
        num_layers: int = 1,
        dim_feedforward: int = 64,
        max_len: int = 64,
    ) -> None:
        super().__init__()
        # BEGIN SOLUTION embedding, a non-persistent positions buffer, a ModuleList of blocks, a final norm and head
        self.max_len = max_len
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.register_buffer("positions", sinusoidal_positional_encoding(max_len, d_model), persistent=False)
        self.blocks = nn.ModuleList(
            TransformerEncoderBlock(d_model, nhead, dim_feedforward) for _ in range(num_layers)
        )
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)
        # END SOLUTION

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION check T; embeddings plus the first T positions; causal blocks; norm; head
        length = tokens.shape[1]
        if length > self.max_len:
            raise ValueError(f"sequence of {length} tokens is longer than max_len={self.max_len}")
        x = self.embedding(tokens) + self.positions[:length]
        for block in self.blocks:
            x = block(x, is_causal=True)
        return self.head(self.norm(x))
        # END SOLUTION


def lm_training_step(model: nn.Module, tokens: torch.Tensor, optimizer: torch.optim.Optimizer) -> float:
    """One next-token training step of a causal language model; return the loss.

    What: tokens (B, T) int64. Inputs are tokens[:, :-1], targets
    tokens[:, 1:] (each position predicts the next token). Put the model in
    training mode, zero the gradients, compute the logits (B, T − 1, V) and the
    mean cross-entropy over all B·(T − 1) predictions (`F.cross_entropy` wants
    the classes in dimension 1, or flattened (N, V) logits and (N,) targets),
    backward, step. Return the loss as a Python float.
    Why: "shift by one" is the whole trick of language modelling: the same
    sequence is both the input and, one step ahead, the target, and the causal
    mask makes every position a separate training example. Forget the shift
    and the model learns to copy its input, which the mask lets it see.
    Example: for the text "to be", inputs "to b" and targets "o be": the model
    is asked "o" after "t", " " after "to", and so on.
    """
    # BEGIN SOLUTION inputs and targets shifted by one; train mode; zero_grad; logits; cross-entropy on flattened logits; backward; step; .item()
    inputs, targets = tokens[:, :-1], tokens[:, 1:]
    model.train()
    optimizer.zero_grad()
    logits = model(inputs)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
    loss.backward()
    optimizer.step()
    return loss.item()
    # END SOLUTION
