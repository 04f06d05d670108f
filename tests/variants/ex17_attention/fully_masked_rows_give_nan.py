"""A plain softmax: a query whose keys are all masked gets 0/0 = NaN weights (PyTorch gives zeros), and the NaN
spreads to everything computed from it."""

VERDICTS = {
    "attention_masks_of_every_kind": ("failed", "'a query with nothing to attend to (bool mask): zero weights, not NaN'"),
}
DIAGNOSIS = {"*": ("not NaN", "0 / 0", "nothing to attend")}


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
    weights = torch.softmax(scores, dim=-1)
    if training and dropout_p > 0.0:
        weights = F.dropout(weights, p=dropout_p)
    return weights @ value, weights
