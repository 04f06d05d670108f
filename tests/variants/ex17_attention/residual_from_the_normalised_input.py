"""x = norm1(x) + attention(norm1(x)): the residual carries the normalised input, not the input itself."""

VERDICTS = {
    "encoder_block_matches_nn": ("failed", "'agrees with nn.TransformerEncoderLayer(norm_first=True) (pre-norm: x + sublayer(norm(x)), the residual from x; attention per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)'"),
    "encoder_block_random": ("failed", "'agrees with nn.TransformerEncoderLayer(norm_first=True) (pre-norm: x + sublayer(norm(x)), the residual from x; attention per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)'"),
    "tiny_lm_structure_and_causality": ("failed", "'agrees with the same model built from nn.TransformerEncoderLayer (pre-norm: x + sublayer(norm(x)), the residual from x; attention per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)'"),
    "lm_training_step_on_text": ("failed", "'losses[0]'"),
    "lm_random": ("failed", "'agrees with the same model built from nn layers (pre-norm: x + sublayer(norm(x)), the residual from x; attention per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)'"),
}
DIAGNOSIS = {"*": ("residual",)}


def _forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
    if is_causal and src_mask is None:
        src_mask = ~causal_mask(src.shape[1], device=src.device)
    src = self.norm1(src)
    attended, _ = self.self_attn(src, src, src, key_padding_mask=src_key_padding_mask, attn_mask=src_mask, need_weights=False)
    x = self.norm2(src + attended)
    return x + self.linear2(F.relu(self.linear1(x)))


TransformerEncoderBlock.forward = _forward
