"""Correct, written differently: the causal mask from comparing index ranges; attention with einsum, the query
scaled before the product, masks applied with torch.where and all-masked rows cleaned with nan_to_num; multi-head
attention slicing the projections by hand, heads with unflatten/permute, two bool masks combined with &, mixed ones
made additive; the encoding from a power of 10000 with sines and cosines stacked and interleaved; the block with a
float −inf causal mask and positional arguments; the vocabulary from dict.fromkeys; cross-entropy on logits
transposed to (B, V, T)."""

VERDICTS = {}


def causal_mask(size, key_size=None, device=None):
    rows = torch.arange(size, device=device)[:, None]
    columns = torch.arange(size if key_size is None else key_size, device=device)[None, :]
    return columns <= rows


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, *, training=True):
    if attn_mask is not None and is_causal:
        raise ValueError("attn_mask and is_causal are exclusive")
    factor = query.size(-1) ** -0.5 if scale is None else scale
    scores = torch.einsum("...le,...se->...ls", query * factor, key)
    if is_causal:
        scores = torch.where(causal_mask(scores.shape[-2], scores.shape[-1], scores.device), scores, float("-inf"))
    elif attn_mask is not None and attn_mask.dtype is torch.bool:
        scores = torch.where(attn_mask, scores, float("-inf"))
    elif attn_mask is not None:
        scores = scores + attn_mask
    weights = scores.softmax(dim=scores.dim() - 1).nan_to_num(0.0)
    if training and dropout_p:
        weights = F.dropout(weights, dropout_p, training=True)
    return torch.einsum("...ls,...sv->...lv", weights, value), weights


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads, dropout=0.0):
        super().__init__()
        self.head_dim, remainder = divmod(embed_dim, num_heads)
        if remainder:
            raise ValueError("num_heads must divide embed_dim")
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        weight = torch.empty(3 * embed_dim, embed_dim)
        bound = math.sqrt(6.0 / (embed_dim + 3 * embed_dim))
        self.in_proj_weight = nn.Parameter(weight.uniform_(-bound, bound))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dim))
        self.out_proj = nn.Linear(embed_dim, embed_dim)
        with torch.no_grad():
            self.out_proj.bias.zero_()

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None, average_attn_weights=True):
        e, h = self.embed_dim, self.num_heads
        w, b = self.in_proj_weight, self.in_proj_bias
        q = F.linear(query, w[:e], b[:e])
        k = F.linear(key, w[e : 2 * e], b[e : 2 * e])
        v = F.linear(value, w[2 * e :], b[2 * e :])
        q, k, v = (t.unflatten(-1, (h, self.head_dim)).permute(0, 2, 1, 3) for t in (q, k, v))
        masks = []
        for mask, shape in ((attn_mask, None), (key_padding_mask, (query.shape[0], 1, 1, key.shape[1]))):
            if mask is None:
                continue
            mask = mask if shape is None else mask.reshape(shape)
            masks.append(mask.logical_not() if mask.dtype == torch.bool else mask)
        if len(masks) == 2 and all(m.dtype == torch.bool for m in masks):
            masks = [masks[0] & masks[1]]
        elif len(masks) == 2:
            masks = [sum(torch.zeros((), dtype=query.dtype).masked_fill(~m, float("-inf")) if m.dtype == torch.bool else m for m in masks)]
        out, weights = scaled_dot_product_attention(
            q, k, v, masks[0] if masks else None, dropout_p=self.dropout, training=self.training
        )
        out = self.out_proj(out.permute(0, 2, 1, 3).flatten(-2))
        if not need_weights:
            return out, None
        return out, (weights.sum(dim=1) / h if average_attn_weights else weights)


def sinusoidal_positional_encoding(max_len, d_model):
    pairs = (d_model + 1) // 2
    angles = torch.arange(max_len).float()[:, None] / torch.pow(10000.0, torch.arange(pairs).float() * 2 / d_model)
    return torch.stack([angles.sin(), angles.cos()], dim=-1).flatten(1)[:, :d_model].contiguous()


class TransformerEncoderBlock(nn.Module):
    def __init__(self, d_model, nhead, dim_feedforward):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.self_attn = MultiHeadAttention(d_model, nhead)
        self.linear1, self.linear2 = nn.Linear(d_model, dim_feedforward), nn.Linear(dim_feedforward, d_model)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        length = src.shape[-2]
        if src_mask is None and is_causal:
            src_mask = torch.triu(torch.full((length, length), float("-inf"), device=src.device), diagonal=1)
        y = self.norm1(src)
        src = src + self.self_attn(y, y, y, src_key_padding_mask, False, src_mask)[0]
        return src + self.linear2(torch.relu(self.linear1(self.norm2(src))))


def char_vocab(text):
    vocab = sorted(dict.fromkeys(text))
    return vocab, torch.as_tensor([vocab.index(c) for c in text], dtype=torch.int64)


def lm_training_step(model, tokens, optimizer):
    model.train(True)
    logits = model(tokens[..., :-1])
    loss = F.cross_entropy(logits.transpose(1, 2), tokens[..., 1:])
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return float(loss)
