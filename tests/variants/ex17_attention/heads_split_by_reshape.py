"""Heads split with reshape(B, H, L, D) straight from (B, L, E), and merged back the same way: instead of its
own D features of every position, "head" h gets D-wide pieces of a few consecutive positions, so every head
attends between the wrong pieces (invisible with one head)."""

VERDICTS = {
    "multihead_matches_nn": ("failed", "'per-head weights agree with those of nn.MultiheadAttention"),
    "multihead_masks": ("failed", "'agrees with nn.MultiheadAttention (per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)'"),
    "multihead_dropout_only_in_training": ("failed", "'eval: agrees with nn.MultiheadAttention in eval (per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)'"),
    "multihead_random": ("failed", "'agrees with nn.MultiheadAttention (per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)'"),
    "encoder_block_matches_nn": ("failed", "'agrees with nn.TransformerEncoderLayer(norm_first=True) (pre-norm: x + sublayer(norm(x)), the residual from x; attention per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)'"),
    "encoder_block_random": ("failed", "'agrees with nn.TransformerEncoderLayer(norm_first=True) (pre-norm: x + sublayer(norm(x)), the residual from x; attention per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)'"),
    "tiny_lm_structure_and_causality": ("failed", "'agrees with the same model built from nn.TransformerEncoderLayer (pre-norm: x + sublayer(norm(x)), the residual from x; attention per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)'"),
    "lm_training_step_on_text": ("failed", "'losses[0]'"),
    "lm_random": ("failed", "'agrees with the same model built from nn layers (pre-norm: x + sublayer(norm(x)), the residual from x; attention per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)'"),
}
DIAGNOSIS = {"*": ("head h =", "permute", "transpose", "reshape")}


def _forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None, average_attn_weights=True):
    batch, length, _ = query.shape
    source = key.shape[1]
    w_q, w_k, w_v = self.in_proj_weight.chunk(3)
    b_q, b_k, b_v = self.in_proj_bias.chunk(3)

    def heads(x, weight, bias):
        return F.linear(x, weight, bias).reshape(x.shape[0], self.num_heads, x.shape[1], self.head_dim)

    def additive(mask):
        if mask.dtype == torch.bool:
            return torch.zeros(mask.shape, dtype=query.dtype).masked_fill(mask, float("-inf"))
        return mask

    q, k, v = heads(query, w_q, b_q), heads(key, w_k, b_k), heads(value, w_v, b_v)
    mask = None
    if attn_mask is not None:
        mask = additive(attn_mask)
    if key_padding_mask is not None:
        padding = additive(key_padding_mask).view(batch, 1, 1, source)
        mask = padding if mask is None else mask + padding
    out, weights = scaled_dot_product_attention(q, k, v, mask, dropout_p=self.dropout, training=self.training)
    out = self.out_proj(out.reshape(batch, length, self.embed_dim))
    if not need_weights:
        return out, None
    return out, weights.mean(dim=1) if average_attn_weights else weights


MultiHeadAttention.forward = _forward
