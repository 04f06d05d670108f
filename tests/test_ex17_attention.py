"""Graded checks for ex17_attention: attention, multi-head attention, positions, a transformer block, a tiny LM.

Where PyTorch has the same thing, the probe runs it on the same inputs (and,
for modules, with the learner's weights copied in through the state_dict) and
observes whether the learner's result agrees: `F.scaled_dot_product_attention`,
`nn.MultiheadAttention(batch_first=True)`, `nn.TransformerEncoderLayer(norm_first=True,
batch_first=True, dropout=0)`, `nn.Transformer.generate_square_subsequent_mask`.
The reference agrees, so that key checks the learner against PyTorch itself.
The checks that ask for a piece by hand forbid the PyTorch function it
re-implements. Models are filled with weights drawn by parameter name from the
probe's own generator, so the order in which a learner creates them does not matter.
"""

import copy
import math
import warnings

import torch
import torch.nn.functional as F
from torch import nn

from grader import capture, check

SDPA = ("torch.nn.functional.scaled_dot_product_attention",)
MHA = SDPA + (
    "torch.nn.functional.multi_head_attention_forward",
    "torch.nn.MultiheadAttention.forward",
    "torch._native_multi_head_attention",
)
BLOCK = MHA + ("torch.nn.TransformerEncoderLayer.forward", "torch._transformer_encoder_layer_fwd")
# Several layers or a training step sum the same products in other orders: floats compared with these
# (the key bias gets a gradient that is exactly 0 in theory, rounding noise of about 1e-6 in practice).
RTOL, ATOL = 1e-5, 1e-5


def randint(low, high):
    """A Python int in [low, high), drawn with torch's (seeded) generator."""
    return int(torch.randint(low, high, ()))


def _agrees(value, expected, rtol=1e-4, atol=1e-5):
    """Whether the learner's value matches PyTorch's own result (same dtype and shape, close values, NaN where NaN)."""
    if type(value) is not torch.Tensor or value.dtype != expected.dtype or value.shape != expected.shape:
        return False
    return bool(torch.allclose(value.detach(), expected.detach(), rtol=rtol, atol=atol, equal_nan=True))


def _same(value, expected):
    """Exactly equal tensors, dtype and shape included (for bool and integer results)."""
    return type(value) is torch.Tensor and value.dtype == expected.dtype and value.shape == expected.shape and bool(
        torch.equal(value, expected)
    )


def _leaf(t):
    return t.detach().clone().requires_grad_(True)


def _quietly(module, *args, **kwargs):
    """Call a PyTorch module without its deprecation warnings (mixed bool and float masks are fine here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return module(*args, **kwargs)


def _build(factory, *args, **kwargs):
    """The learner's module, built without touching the probe's random numbers (however many its init draws)."""
    with torch.random.fork_rng(devices=[]):
        return factory(*args, **kwargs)


def _fill(model, seed=0, std=0.5):
    """Weights drawn by parameter name, in sorted order, from the probe's own generator."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, parameter in sorted(model.named_parameters(), key=lambda item: item[0]):
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * std)
    return model


def _device_of(fn, *args, **kwargs):
    """The device of what fn returns first (a tensor, or the first of a tuple), or the exception it raised."""
    result = capture(fn, *args, **kwargs)
    first = result[0] if isinstance(result, tuple) else result
    return str(first.device) if isinstance(first, torch.Tensor) else result


def _on_meta(*tensors):
    return [t.to("meta") for t in tensors]


def _shapes(module):
    return {name: list(t.shape) for name, t in sorted(module.state_dict().items())}


def _loads_into(source, target):
    """Copy source's state_dict into target; whether that worked with every key matching."""
    try:
        target.load_state_dict(source.state_dict())
    except (RuntimeError, KeyError, TypeError):
        return False
    return True


# --- causal_mask ------------------------------------------------------------------------------


@check(points=2)
def causal_mask_shapes_and_values(ex):
    """Lower triangle, diagonal included, bool; rectangular masks aligned at the top left; on the device asked for."""
    observed = {
        "size 4: True on and below the diagonal only": ex.causal_mask(4),
        "size 1": ex.causal_mask(1),
        "3 queries, 5 keys": ex.causal_mask(3, 5),
        "5 queries, 3 keys": ex.causal_mask(5, 3),
    }
    square = ex.causal_mask(6)
    expected = nn.Transformer.generate_square_subsequent_mask(6) == 0
    observed["agrees with nn.Transformer.generate_square_subsequent_mask (0 where allowed)"] = _same(square, expected)
    q, k, v = torch.randn(2, 3, 8), torch.randn(2, 5, 8), torch.randn(2, 5, 4)
    observed["agrees with is_causal=True of F.scaled_dot_product_attention, 3 × 5"] = _agrees(
        F.scaled_dot_product_attention(q, k, v, attn_mask=ex.causal_mask(3, 5)),
        F.scaled_dot_product_attention(q, k, v, is_causal=True),
    )
    observed["device='meta': on the meta device"] = str(ex.causal_mask(3, device="meta").device)
    return observed


# --- scaled_dot_product_attention -------------------------------------------------------------


@check(points=3, forbid=SDPA)
def attention_matches_torch(ex):
    """Output, weights and gradients as F.scaled_dot_product_attention: no mask, explicit scale, the worked example, ties."""
    q, k, v = torch.randn(2, 3, 4, 8), torch.randn(2, 3, 6, 8), torch.randn(2, 3, 6, 5)
    upstream = torch.randn(2, 3, 4, 5)
    tie_q, tie_v = torch.randn(1, 3, 4), torch.randn(1, 5, 2)
    leaves, torch_leaves = [_leaf(t) for t in (q, k, v)], [_leaf(t) for t in (q, k, v)]
    out, weights = ex.scaled_dot_product_attention(*leaves)
    (out * upstream).sum().backward()
    expected = F.scaled_dot_product_attention(*torch_leaves)
    (expected * upstream).sum().backward()
    scaled, _ = ex.scaled_dot_product_attention(q, k, v, scale=0.3)
    example_out, example_weights = ex.scaled_dot_product_attention(
        torch.tensor([[1.0, 0.0]]), torch.tensor([[math.sqrt(2) * math.log(3), 0.0], [0.0, 1.0]]), torch.eye(2)
    )
    tied, tied_weights = ex.scaled_dot_product_attention(tie_q, torch.ones(1, 5, 4), tie_v)
    return {
        "weights sum to 1 over the keys (softmax over the last dimension)": weights.sum(dim=-1),
        "worked example (E = 2, scores scaled by 1/√E): weights [[0.75, 0.25]]": example_weights,
        "worked example: output": example_out,
        "agrees with F.scaled_dot_product_attention": _agrees(out, expected)
        and _agrees(scaled, F.scaled_dot_product_attention(q, k, v, scale=0.3)),
        "gradients agree with F.scaled_dot_product_attention": all(
            _agrees(a.grad, b.grad) for a, b in zip(leaves, torch_leaves)
        ),
        "output": out,
        "weights (B, H, L, S)": weights,
        "scale=0.3: output": scaled,
        "query.grad": leaves[0].grad,
        "key.grad": leaves[1].grad,
        "value.grad": leaves[2].grad,
        "identical keys: uniform weights 1/5": tied_weights,
        "identical keys: output": tied,
    }


@check(points=3, forbid=SDPA)
def attention_masks_of_every_kind(ex):
    """Bool masks (True may attend), float masks (added), causal masks, fully masked rows (zeros), inputs untouched."""
    q, k, v = torch.randn(2, 4, 6), torch.randn(2, 5, 6), torch.randn(2, 5, 3)
    bool_mask = torch.tensor(
        [[True, False, True, True, False], [False, False, False, False, False], [True] * 5, [False, True, False, False, True]]
    )  # row 1: nothing to attend to
    float_mask = torch.tensor([[0.0, -1.5, 2.0, 0.0, float("-inf")]]).expand(4, 5).clone()
    float_mask[2] = float("-inf")  # row 2: nothing either
    per_batch = torch.rand(2, 1, 5) > 0.4
    per_batch[:, :, 0] = True  # every row keeps a key
    originals = [t.clone() for t in (q, k, v, bool_mask, float_mask)]
    square_q, square_k, square_v = torch.randn(3, 6, 4), torch.randn(3, 6, 4), torch.randn(3, 6, 2)
    changed_k, changed_v = square_k.clone(), square_v.clone()
    changed_k[:, 4:], changed_v[:, 4:] = torch.randn(3, 2, 4), torch.randn(3, 2, 2)
    out, weights = ex.scaled_dot_product_attention(square_q, square_k, square_v, is_causal=True)
    changed, _ = ex.scaled_dot_product_attention(square_q, changed_k, changed_v, is_causal=True)
    observed = {
        "causal: outputs 0..3 unchanged when keys and values 4, 5 change": torch.equal(out[:, :4], changed[:, :4]),
        "causal: position 0 sees only itself": weights[:, 0],
        "causal: no weight above the diagonal": weights.triu(diagonal=1).abs().max(),
        "causal: weights": weights,
        "a query with nothing to attend to (bool mask): zero weights, not NaN": ex.scaled_dot_product_attention(
            q, k, v, attn_mask=bool_mask
        )[1][:, 1],
        "a query with nothing to attend to (float mask): zero weights, not NaN": ex.scaled_dot_product_attention(
            q, k, v, attn_mask=float_mask
        )[1][:, 2],
    }
    agrees = True
    for label, kwargs in [
        ("bool mask (L, S)", {"attn_mask": bool_mask}),
        ("float mask (L, S)", {"attn_mask": float_mask}),
        ("bool mask per batch (B, 1, S)", {"attn_mask": per_batch}),
        ("all-True bool mask", {"attn_mask": torch.ones(4, 5, dtype=torch.bool)}),
        ("is_causal, 4 queries and 5 keys", {"is_causal": True}),
    ]:
        out, weights = ex.scaled_dot_product_attention(q, k, v, **kwargs)
        observed[f"{label}: weights"] = weights
        observed[f"{label}: output"] = out
        agrees = agrees and _agrees(out, F.scaled_dot_product_attention(q, k, v, **kwargs))
    observed["agrees with F.scaled_dot_product_attention"] = agrees
    observed["is_causal on the meta device: output on"] = _device_of(
        ex.scaled_dot_product_attention, *_on_meta(square_q, square_k, square_v), is_causal=True
    )
    observed["attn_mask and is_causal together"] = capture(
        ex.scaled_dot_product_attention, q, k, v, attn_mask=bool_mask, is_causal=True
    )
    observed["inputs and masks unchanged"] = all(
        torch.equal(a, b) for a, b in zip((q, k, v, bool_mask, float_mask), originals)
    )
    return observed


@check(points=2, forbid=SDPA)
def attention_dropout_only_in_training(ex):
    """Dropout on the weights in training only: p = 0 and eval change nothing, p = 1 gives zeros, survivors scaled by 1/(1 − p)."""
    q, k, v = torch.randn(4, 20, 8), torch.randn(4, 30, 8), torch.randn(4, 30, 3)
    plain, plain_weights = ex.scaled_dot_product_attention(q, k, v)
    eval_out, eval_weights = ex.scaled_dot_product_attention(q, k, v, dropout_p=0.6, training=False)
    zero_out, _ = ex.scaled_dot_product_attention(q, k, v, dropout_p=0.0)
    all_out, all_weights = ex.scaled_dot_product_attention(q, k, v, dropout_p=1.0)
    torch.manual_seed(1234)
    dropped, dropped_weights = ex.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    torch.manual_seed(1234)
    again, _ = ex.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    other, _ = ex.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    kept = dropped_weights != 0
    return {
        "eval (training=False, p=0.6): output as without dropout": eval_out,
        "eval: weights": eval_weights,
        "p=0 in training: output": zero_out,
        "p=1 in training: output (zeros)": all_out,
        "p=1 in training: weights (zeros)": all_weights,
        "p=0.5: kept weights are the weights / (1 - p)": bool(
            torch.allclose(dropped_weights[kept], plain_weights[kept] / 0.5, rtol=1e-6, atol=0.0)
        ),
        "p=0.5: dropped fraction within 0.03 of p": abs(1 - kept.float().mean().item() - 0.5) < 0.03,
        "p=0.5: output is the dropped weights @ value": bool(
            torch.allclose(dropped, dropped_weights @ v, rtol=1e-5, atol=1e-6)
        ),
        "p=0.5: same seed, same output": torch.equal(dropped, again),
        "p=0.5: another call drops other weights": not torch.equal(dropped, other),
        "no dropout: output": plain,
    }


@check(points=2, hidden=True, forbid=SDPA)
def attention_random(ex):
    """Random batch, lengths and sizes; a bool mask, a float mask and causal attention every time."""
    batch, heads, length, source, e, ev = (randint(1, 4), randint(1, 4), randint(2, 7), randint(2, 8), randint(2, 9), randint(1, 6))
    q, k, v = torch.randn(batch, heads, length, e), torch.randn(batch, heads, source, e), torch.randn(batch, heads, source, ev)
    bool_mask = torch.rand(length, source) > 0.5
    bool_mask[:, torch.randperm(source)[:2]] = True  # two keys for every query
    float_mask = torch.randn(length, source)
    observed = {}
    for label, kwargs in [
        ("no mask", {}),
        ("bool mask", {"attn_mask": bool_mask}),
        ("float mask", {"attn_mask": float_mask}),
        ("causal", {"is_causal": True}),
        ("scale", {"scale": float(torch.rand(())) + 0.1}),
    ]:
        out, weights = ex.scaled_dot_product_attention(q, k, v, **kwargs)
        observed[f"{label}: output"] = out
        observed[f"{label}: weights"] = weights
    return observed


# --- MultiHeadAttention -----------------------------------------------------------------------


def _mha_pair(embed_dim=8, heads=2, dropout=0.0, seed=0, ex=None):
    reference = _fill(nn.MultiheadAttention(embed_dim, heads, dropout=dropout, batch_first=True), seed)
    mine = _build(ex.MultiHeadAttention, embed_dim, heads, dropout=dropout)
    return reference, mine, _loads_into(reference, mine)


@check(points=3, forbid=MHA)
def multihead_matches_nn(ex):
    """nn.MultiheadAttention's weights load; self- and cross-attention outputs, averaged and per-head weights, gradients."""
    reference, mine, loaded = _mha_pair(ex=ex)
    x, memory = torch.randn(3, 5, 8), torch.randn(3, 7, 8)
    upstream = torch.randn(3, 5, 8)
    other_queries = x.clone()
    other_queries[:, 3] = torch.randn(3, 8)
    out, weights = mine(x, memory, memory)
    (out * upstream).sum().backward()
    expected, expected_weights = reference(x, memory, memory)
    (expected * upstream).sum().backward()
    self_out, self_weights = mine(x, x, x)
    per_head_out, per_head = mine(x, memory, memory, average_attn_weights=False)
    no_weights = mine(x, memory, memory, need_weights=False)
    moved, _ = mine(other_queries, memory, memory)
    observed = {
        "state_dict of nn.MultiheadAttention loads": loaded,
        "per-head weights agree with those of nn.MultiheadAttention (head h = projected features h·D … h·D + D − 1)": _agrees(
            per_head, reference(x, memory, memory, average_attn_weights=False)[1]
        ),
        "agrees with nn.MultiheadAttention (per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)": _agrees(out, expected)
        and _agrees(weights, expected_weights)
        and _agrees(self_out, reference(x, x, x)[0]),
        "outputs 0..2 unchanged when query 3 changes": torch.equal(out[:, :3].detach(), moved[:, :3].detach()),
        "cross-attention: output": out,
        "cross-attention: weights averaged over heads (B, L, S)": weights,
        "per-head weights (B, H, L, S)": per_head,
        "per-head call: output": per_head_out,
        "self-attention: output": self_out,
        "self-attention: weights": self_weights,
        "need_weights=False: weights": no_weights[1],
        "need_weights=False: output": no_weights[0],
    }
    for name, parameter in sorted(mine.named_parameters()):
        observed[f"{name}.grad"] = parameter.grad
    observed["gradients agree with nn.MultiheadAttention"] = all(
        _agrees(p.grad, reference.get_parameter(n).grad) for n, p in mine.named_parameters()
    )
    fresh = ex.MultiHeadAttention(16, 4)
    observed["fresh module: state_dict shapes"] = _shapes(fresh)
    observed["fresh module: sizes"] = [fresh.embed_dim, fresh.num_heads, fresh.head_dim]
    bound = math.sqrt(6 / (16 + 48))
    observed["fresh module: in_proj_weight within the xavier bound, spread over it"] = bool(
        fresh.in_proj_weight.abs().max() <= bound and fresh.in_proj_weight.abs().max() > 0.8 * bound
    )
    observed["fresh module: in_proj_bias"] = fresh.in_proj_bias
    observed["fresh module: out_proj.bias"] = fresh.out_proj.bias
    observed["embed_dim 10, 3 heads"] = capture(ex.MultiHeadAttention, 10, 3)
    return observed


@check(points=3, forbid=MHA)
def multihead_masks(ex):
    """key_padding_mask and attn_mask, bool (True = masked out) and float (added), alone and together, as nn.MultiheadAttention."""
    reference, mine, _ = _mha_pair(ex=ex, seed=1)
    x, memory = torch.randn(3, 4, 8), torch.randn(3, 6, 8)
    padding = torch.tensor([[False] * 6, [False] * 4 + [True] * 2, [True] + [False] * 5])
    float_padding = torch.zeros(3, 6).masked_fill(padding, float("-inf"))
    float_padding[0, 2] = -2.0  # a finite penalty, not a block
    attn_mask = torch.tensor([[False, True, False, False, False, True]] * 2 + [[True, False, False, False, False, False]] * 2)
    float_attn = torch.randn(4, 6)
    originals = [t.clone() for t in (padding, float_padding, attn_mask, float_attn)]
    observed, agrees = {}, True
    for label, kwargs in [
        ("bool key_padding_mask", {"key_padding_mask": padding}),
        ("float key_padding_mask", {"key_padding_mask": float_padding}),
        ("bool attn_mask", {"attn_mask": attn_mask}),
        ("float attn_mask", {"attn_mask": float_attn}),
        ("bool attn_mask and bool key_padding_mask", {"attn_mask": attn_mask, "key_padding_mask": padding}),
        ("float attn_mask and bool key_padding_mask", {"attn_mask": float_attn, "key_padding_mask": padding}),
    ]:
        out, weights = mine(x, memory, memory, **kwargs)
        expected, expected_weights = _quietly(reference, x, memory, memory, **kwargs)
        observed[f"{label}: output"] = out
        observed[f"{label}: weights"] = weights
        agrees = agrees and _agrees(out, expected) and _agrees(weights, expected_weights)
    _, weights = mine(x, memory, memory, key_padding_mask=padding)
    on_meta = copy.deepcopy(mine).to("meta")
    meta_device = _device_of(on_meta, *_on_meta(x, memory, memory), key_padding_mask=padding.to("meta"), attn_mask=attn_mask.to("meta"))
    return {
        "agrees with nn.MultiheadAttention (per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)": agrees,
        "padded keys get no weight": weights.masked_select(padding[:, None, :].expand_as(weights)).abs().max(),
        **observed,
        "bool masks on the meta device: output on": meta_device,
        "masks unchanged": all(
            torch.equal(a, b) for a, b in zip((padding, float_padding, attn_mask, float_attn), originals)
        ),
    }


@check(points=2, forbid=MHA)
def multihead_dropout_only_in_training(ex):
    """dropout=0.5: eval mode as nn.MultiheadAttention in eval (no dropout); training mode drops, reproducibly with a seed."""
    reference, mine, _ = _mha_pair(ex=ex, dropout=0.5, seed=2)
    x = torch.randn(2, 30, 8)
    reference.eval()
    mine.eval()
    out, weights = mine(x, x, x)
    expected, expected_weights = reference(x, x, x)
    mine.train()
    torch.manual_seed(7)
    train_out, train_weights = mine(x, x, x, average_attn_weights=False)
    torch.manual_seed(7)
    again, _ = mine(x, x, x, average_attn_weights=False)
    kept = train_weights != 0
    return {
        "eval: agrees with nn.MultiheadAttention in eval (per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)": _agrees(out, expected) and _agrees(weights, expected_weights),
        "eval: output": out,
        "training: dropped fraction of per-head weights within 0.03 of 0.5": abs(kept.float().mean().item() - 0.5) < 0.03,
        "training: output differs from eval": not torch.allclose(train_out, mine.eval()(x, x, x)[0]),
        "training: same seed, same output": torch.equal(train_out, again),
    }


@check(points=2, hidden=True, forbid=MHA)
def multihead_random(ex):
    """Random sizes, heads, lengths and masks (bool padding with a key left in every row, float attn_mask): as nn.MultiheadAttention."""
    heads = randint(2, 5)  # at least two heads of at least two features: head mix-ups and 1/D vs 1/√D show
    embed_dim = heads * randint(2, 5)
    reference, mine, loaded = _mha_pair(embed_dim, heads, seed=randint(0, 1000), ex=ex)
    batch, length, source = randint(1, 5), randint(1, 7), randint(3, 8)
    x, memory = torch.randn(batch, length, embed_dim), torch.randn(batch, source, embed_dim)
    padding = torch.rand(batch, source) > 0.6
    padding[:, torch.randperm(source)[:2]] = False  # two keys left in every row: the softmax has a choice
    attn = torch.randn(length, source)
    out, weights = mine(x, memory, memory, key_padding_mask=padding, attn_mask=attn)
    expected, expected_weights = _quietly(reference, x, memory, memory, key_padding_mask=padding, attn_mask=attn)
    return {
        "loads nn.MultiheadAttention's state_dict": loaded,
        "agrees with nn.MultiheadAttention (per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)": _agrees(out, expected) and _agrees(weights, expected_weights),
        "output": out,
        "weights": weights,
    }


# --- sinusoidal_positional_encoding -----------------------------------------------------------


def _positions(max_len, d_model):
    """The probe's own encoding, in float64."""
    position = torch.arange(max_len, dtype=torch.float64)[:, None]
    index = torch.arange(d_model)
    angle = position / 10000.0 ** ((index - index % 2) / d_model)
    return torch.where(index % 2 == 0, torch.sin(angle), torch.cos(angle))


@check(points=2, rtol=1e-5, atol=1e-5)
def positional_encoding_values(ex):
    """Interleaved sin (even columns) and cos (odd ones) of pos · 10000^(−2i/d); float32; odd d ends with a sine."""
    observed = {
        "max_len 2, d_model 4": ex.sinusoidal_positional_encoding(2, 4),
        "max_len 3, d_model 5 (odd)": ex.sinusoidal_positional_encoding(3, 5),
        "max_len 1, d_model 1": ex.sinusoidal_positional_encoding(1, 1),
        "max_len 40, d_model 16": ex.sinusoidal_positional_encoding(40, 16),
        "max_len 7, d_model 2": ex.sinusoidal_positional_encoding(7, 2),
    }
    agrees = all(
        _agrees(value, _positions(*shape).float())
        for value, shape in zip(observed.values(), [(2, 4), (3, 5), (1, 1), (40, 16), (7, 2)])
    )
    return {"agrees with the formula (sin in the even columns, cos in the odd ones)": agrees, **observed}


# --- TransformerEncoderBlock ------------------------------------------------------------------


def _torch_layer(d_model, nhead, dim_feedforward, seed):
    layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout=0.0, batch_first=True, norm_first=True)
    return _fill(layer, seed)


@check(points=3, rtol=RTOL, atol=ATOL, forbid=BLOCK)
def encoder_block_matches_nn(ex):
    """Pre-norm block as nn.TransformerEncoderLayer(norm_first=True): plain, causal, masks of each kind; input and weight gradients."""
    layer = _torch_layer(16, 4, 32, seed=3)
    block = _build(ex.TransformerEncoderBlock, 16, 4, 32)
    loaded = _loads_into(layer, block)
    x = torch.randn(2, 6, 16)
    upstream = torch.randn(2, 6, 16)
    random_bool = torch.rand(6, 6) > 0.7
    random_bool.fill_diagonal_(False)  # every position keeps itself
    later = x.clone()
    later[:, 3:] = torch.randn(2, 3, 16)
    attention_returned = []
    if isinstance(getattr(block, "self_attn", None), nn.Module):
        block.self_attn.register_forward_hook(lambda module, args, output: attention_returned.append(output[1]))
    leaf, torch_leaf = _leaf(x), _leaf(x)
    out = block(leaf)
    (out * upstream).sum().backward()
    expected = layer(torch_leaf)
    (expected * upstream).sum().backward()
    causal_float = nn.Transformer.generate_square_subsequent_mask(6)
    padding = torch.tensor([[False] * 6, [False] * 4 + [True] * 2])
    outputs = {
        "is_causal=True": (block(x, is_causal=True), layer(x, src_mask=causal_float, is_causal=True)),
        "float causal src_mask": (block(x, src_mask=causal_float), layer(x, src_mask=causal_float)),
        "bool src_mask (True = masked out)": (block(x, src_mask=random_bool), layer(x, src_mask=random_bool)),
        "src_key_padding_mask": (block(x, src_key_padding_mask=padding), layer(x, src_key_padding_mask=padding)),
    }
    causal_out = outputs["is_causal=True"][0]
    observed = {
        "is_causal: outputs 0..2 unchanged when inputs 3.. change": torch.equal(
            causal_out[:, :3].detach(), block(later, is_causal=True)[:, :3].detach()
        ),
        "state_dict of nn.TransformerEncoderLayer loads": loaded,
        "agrees with nn.TransformerEncoderLayer(norm_first=True) (pre-norm: x + sublayer(norm(x)), the residual from x; attention per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)": _agrees(out, expected)
        and all(_agrees(mine, theirs) for mine, theirs in outputs.values()),
        "gradients agree with nn.TransformerEncoderLayer": _agrees(leaf.grad, torch_leaf.grad)
        and all(_agrees(p.grad, layer.get_parameter(n).grad) for n, p in block.named_parameters()),
        "output": out,
        **{f"{label}: output": mine for label, (mine, _) in outputs.items()},
        "input.grad": leaf.grad,
    }
    for name, parameter in sorted(block.named_parameters()):
        observed[f"{name}.grad"] = parameter.grad
    observed["input unchanged"] = torch.equal(leaf.detach(), x)
    observed["self_attn called with need_weights=False (it returned no weights)"] = bool(attention_returned) and all(
        w is None for w in attention_returned
    )
    observed["is_causal with an explicit src_mask: that mask is used"] = block(x, src_mask=random_bool, is_causal=True)
    observed["is_causal on the meta device: output on"] = _device_of(copy.deepcopy(block).to("meta"), x.to("meta"), is_causal=True)
    return observed


@check(points=2, hidden=True, rtol=RTOL, atol=ATOL, forbid=BLOCK)
def encoder_block_random(ex):
    """Random sizes, heads, lengths; causal and with padding every time: as nn.TransformerEncoderLayer."""
    heads = randint(2, 4)  # at least two heads of at least two features
    d_model, ff, length, batch = heads * randint(2, 5), randint(4, 33), randint(2, 9), randint(1, 4)
    layer = _torch_layer(d_model, heads, ff, seed=randint(0, 1000))
    block = _build(ex.TransformerEncoderBlock, d_model, heads, ff)
    loaded = _loads_into(layer, block)
    x = torch.randn(batch, length, d_model)
    padding = torch.rand(batch, length) > 0.6
    padding[:, :2] = False
    causal = nn.Transformer.generate_square_subsequent_mask(length)
    causal_out, plain_out = block(x, is_causal=True), block(x, src_key_padding_mask=padding)
    last_changed = x.clone()
    last_changed[:, -1] = torch.randn(batch, d_model)
    return {
        "causal: outputs before the last unchanged when inputs at the last position change": torch.equal(
            block(last_changed, is_causal=True)[:, :-1], causal_out[:, :-1]
        ),
        "loads nn.TransformerEncoderLayer's state_dict": loaded,
        "agrees with nn.TransformerEncoderLayer(norm_first=True) (pre-norm: x + sublayer(norm(x)), the residual from x; attention per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)": _agrees(
            causal_out, layer(x, src_mask=causal, is_causal=True)
        )
        and _agrees(plain_out, layer(x, src_key_padding_mask=padding)),
        "causal: output": causal_out,
        "padding: output": plain_out,
    }


# --- the language model -----------------------------------------------------------------------


@check(points=1)
def char_vocab_of_text(ex):
    """Sorted distinct characters and int64 ids, for the course's text, a small one and an empty one."""
    vocab, ids = ex.char_vocab(ex.TEXT)
    return {
        "TEXT: vocab": vocab,
        "TEXT: ids": ids,
        "'abba'": ex.char_vocab("abba"),
        "'' (empty)": ex.char_vocab(""),
        "'ba ab'": ex.char_vocab("ba ab"),
    }


class TorchLM(nn.Module):
    """The same language model built from PyTorch's own layers, to load the learner's state_dict into."""

    def __init__(self, vocab_size, d_model, nhead, num_layers, dim_feedforward, max_len):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.register_buffer("positions", _positions(max_len, d_model).float(), persistent=False)
        self.blocks = nn.ModuleList(
            nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, 0.0, batch_first=True, norm_first=True)
            for _ in range(num_layers)
        )
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, tokens):
        length = tokens.shape[1]
        x = self.embedding(tokens) + self.positions[:length]
        mask = nn.Transformer.generate_square_subsequent_mask(length)
        for block in self.blocks:
            x = block(x, src_mask=mask, is_causal=True)
        return self.head(self.norm(x))


SIZES = {"d_model": 16, "nhead": 2, "num_layers": 2, "dim_feedforward": 32, "max_len": 48}


def _lm(ex, vocab_size, seed=0, sizes=SIZES):
    model = _fill(_build(ex.TinyCausalLM, vocab_size, **sizes), seed, std=0.3)
    twin = TorchLM(vocab_size, **sizes)
    return model, twin, _loads_into(model, twin)


def _text_ids(ex):
    """The course's text as ids, with the probe's own vocabulary (independent of the learner's char_vocab)."""
    vocab = sorted(set(ex.TEXT))
    return len(vocab), torch.tensor([vocab.index(c) for c in ex.TEXT])


@check(points=3, rtol=RTOL, atol=ATOL, forbid=BLOCK)
def tiny_lm_structure_and_causality(ex):
    """Parameter names as specified; logits (B, T, V) as the same model built from nn layers; no logit depends on a later token."""
    vocab_size, ids = _text_ids(ex)
    model, twin, loaded = _lm(ex, vocab_size)
    tokens = torch.stack([ids[:20], ids[20:40]])
    logits = model(tokens)
    changed = tokens.clone()
    changed[:, 12:] = (changed[:, 12:] + 5) % vocab_size
    changed_logits = model(changed)
    moved, cpu = copy.deepcopy(model).to("meta"), torch.zeros(())
    return {
        "logits before position 12 unchanged when tokens 12.. change": torch.equal(logits[:, :12], changed_logits[:, :12]),
        "logits at position 12 change with token 12": not torch.allclose(logits[:, 12], changed_logits[:, 12]),
        "state_dict: names and shapes": _shapes(model),
        "state_dict loads into the same model built from nn layers": loaded,
        "agrees with the same model built from nn.TransformerEncoderLayer (pre-norm: x + sublayer(norm(x)), the residual from x; attention per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)": _agrees(logits, twin(tokens)),
        "logits": logits,
        "positions buffer": dict(model.named_buffers()).get("positions"),
        "exactly max_len tokens: logits": capture(model, ids[:48].repeat(2)[None, :48]),
        "moved to the meta device: positions buffer on": str(dict(moved.named_buffers()).get("positions", cpu).device),
        "moved to the meta device: logits on": _device_of(moved, tokens.to("meta")),
        "longer than max_len": capture(model, torch.zeros(1, 49, dtype=torch.long)),
    }


@check(points=3, rtol=RTOL, atol=ATOL, forbid=BLOCK)
def lm_training_step_on_text(ex):
    """Two SGD steps on the text: each loss is the cross-entropy of next-token predictions; parameters after; train mode."""
    vocab_size, ids = _text_ids(ex)
    model, _, _ = _lm(ex, vocab_size, seed=1)
    model.eval()  # lm_training_step must switch it back
    tokens = torch.stack([ids[:21], ids[19:40]])
    before = copy.deepcopy(model)
    with torch.no_grad():
        logits = before(tokens[:, :-1])
        last_changed = before(torch.cat([tokens[:, :-2], (tokens[:, -2:-1] + 1) % vocab_size], dim=1))
        shifted = F.cross_entropy(logits.transpose(1, 2), tokens[:, 1:]).item()
        unshifted = F.cross_entropy(logits.transpose(1, 2), tokens[:, :-1]).item()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    losses = [ex.lm_training_step(model, tokens, optimizer) for _ in range(2)]
    return {
        "first loss is the cross-entropy of tokens[:, 1:] given tokens[:, :-1]": math.isclose(
            losses[0], shifted, rel_tol=1e-5
        ),
        "first loss is not the cross-entropy of the unshifted tokens": not math.isclose(losses[0], unshifted, rel_tol=1e-3),
        "logits before the last unchanged when tokens at the last position change": torch.equal(
            last_changed[:, :-1], logits[:, :-1]
        ),
        "losses": losses,
        "losses are Python floats": [type(loss) is float for loss in losses],
        "the second step lowers the loss": losses[1] < losses[0],
        "model in training mode afterwards": model.training,
        "parameters after two steps": dict(model.named_parameters()),
    }


@check(points=2, hidden=True, rtol=RTOL, atol=ATOL, forbid=BLOCK)
def lm_random(ex):
    """Random sizes, a random batch of windows of the text, SGD with momentum: logits, losses and parameters as the reference."""
    heads = randint(2, 4)  # at least two heads of at least three features
    sizes = {
        "d_model": heads * randint(3, 6),
        "nhead": heads,
        "num_layers": randint(1, 3),
        "dim_feedforward": randint(8, 33),
        "max_len": 40,
    }
    vocab_size, ids = _text_ids(ex)
    model, twin, loaded = _lm(ex, vocab_size, seed=randint(0, 1000), sizes=sizes)
    length = randint(8, 30)
    starts = torch.randint(0, 40 - length + 1, (randint(1, 5),))
    tokens = torch.stack([ids[s : s + length] for s in starts.tolist()])
    logits = model(tokens)
    last_changed = model(torch.cat([tokens[:, :-1], (tokens[:, -1:] + 1) % vocab_size], dim=1))
    # Not Adam: it would turn the rounding noise of the key bias's zero gradient into steps of size lr.
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    losses = [ex.lm_training_step(model, tokens, optimizer) for _ in range(2)]
    return {
        "agrees with the same model built from nn layers (pre-norm: x + sublayer(norm(x)), the residual from x; attention per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)": loaded and _agrees(logits, twin(tokens)),
        "logits before the last unchanged when tokens at the last position change": torch.equal(
            last_changed[:, :-1], logits[:, :-1]
        ),
        "logits": logits,
        "losses": losses,
        "parameters after two steps": dict(model.named_parameters()),
    }
