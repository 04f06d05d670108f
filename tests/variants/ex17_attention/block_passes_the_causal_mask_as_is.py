"""The block hands causal_mask(T) (True = may attend) to attention that reads True as *masked out*:
every position sees only the future, and position T − 1 sees nothing at all."""

VERDICTS = {
    "encoder_block_matches_nn": ("failed", "'is_causal: outputs 0..2 unchanged when inputs 3.. change'"),
    "encoder_block_random": ("failed", "'agrees with nn.TransformerEncoderLayer(norm_first=True) (pre-norm: x + sublayer(norm(x)), the residual from x; attention per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)'"),
    "tiny_lm_structure_and_causality": ("failed", "'logits before position 12 unchanged when tokens 12.. change'"),
    "lm_training_step_on_text": ("failed", "'losses[0]'"),
    "lm_random": ("failed", "'agrees with the same model built from nn layers (pre-norm: x + sublayer(norm(x)), the residual from x; attention per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)'"),
}
DIAGNOSIS = {"*": ("opposite", "inverted", "unchanged when inputs", "unchanged when tokens")}


def _forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
    if is_causal and src_mask is None:
        src_mask = causal_mask(src.shape[1], device=src.device)
    normed = self.norm1(src)
    attended, _ = self.self_attn(normed, normed, normed, key_padding_mask=src_key_padding_mask, attn_mask=src_mask, need_weights=False)
    x = src + attended
    return x + self.linear2(F.relu(self.linear1(self.norm2(x))))


TransformerEncoderBlock.forward = _forward
