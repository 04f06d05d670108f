"""Correct, written differently: attention with a hand-written stable softmax (subtract the row maximum,
exponentiate, divide; an all-masked row divides zeros by 1), the scale applied as a division, bool masks made
additive, dropout from a Bernoulli mask; the language model indexing its embedding weight directly, building its
blocks in a loop and passing each an explicit inverted causal mask."""

VERDICTS = {}


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, *, training=True):
    if is_causal:
        if attn_mask is not None:
            raise ValueError("either attn_mask or is_causal")
        attn_mask = causal_mask(query.shape[-2], key.shape[-2], device=query.device)
    scores = torch.matmul(query, key.mT) / (math.sqrt(query.shape[-1]) if scale is None else 1.0 / scale)
    if attn_mask is not None:
        additive = attn_mask if attn_mask.is_floating_point() else scores.new_zeros(attn_mask.shape).masked_fill(attn_mask.logical_not(), float("-inf"))
        scores = scores + additive
    top = scores.amax(dim=-1, keepdim=True)
    top = torch.where(torch.isfinite(top), top, torch.zeros_like(top))
    exp = torch.exp(scores - top)
    total = exp.sum(dim=-1, keepdim=True)
    weights = exp / torch.where(total == 0, torch.ones_like(total), total)
    if training and dropout_p > 0:
        keep = torch.bernoulli(torch.full_like(weights, 1.0 - dropout_p))
        weights = weights * keep / (1.0 - dropout_p) if dropout_p < 1 else weights * 0.0
    return weights @ value, weights


class TinyCausalLM(nn.Module):
    def __init__(self, vocab_size, d_model=32, nhead=4, num_layers=1, dim_feedforward=64, max_len=64):
        super().__init__()
        self.head = nn.Linear(d_model, vocab_size)
        self.norm = nn.LayerNorm(d_model)
        self.blocks = nn.ModuleList()
        for _ in range(num_layers):
            self.blocks.append(TransformerEncoderBlock(d_model, nhead, dim_feedforward))
        self.embedding = nn.Embedding(vocab_size, d_model)
        self.register_buffer("positions", sinusoidal_positional_encoding(max_len, d_model), persistent=False)

    def forward(self, tokens):
        if tokens.size(1) > self.positions.size(0):
            raise ValueError("too long")
        x = self.embedding.weight[tokens] + self.positions[: tokens.size(1)].unsqueeze(0)
        mask = ~causal_mask(tokens.size(1), device=tokens.device)
        for block in self.blocks:
            x = block(x, src_mask=mask)
        return self.head(self.norm(x))
