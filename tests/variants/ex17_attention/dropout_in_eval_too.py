"""Dropout on the weights whenever dropout_p > 0, training or not: eval outputs become random."""

VERDICTS = {
    "attention_dropout_only_in_training": ("failed", "'eval (training=False, p=0.6): output as without dropout'"),
    "multihead_dropout_only_in_training": ("failed", "'eval: agrees with nn.MultiheadAttention in eval (per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)'"),
}
DIAGNOSIS = {"*": ("training=False", "in eval")}


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, *, training=True):
    if is_causal and attn_mask is not None:
        raise ValueError("give attn_mask or is_causal=True, not both")
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
    blocked = torch.isneginf(scores).all(dim=-1, keepdim=True)
    weights = torch.softmax(scores.masked_fill(blocked, 0.0), dim=-1).masked_fill(blocked, 0.0)
    if dropout_p > 0.0:
        weights = F.dropout(weights, p=dropout_p)
    return weights @ value, weights
