"""tril(diagonal=1): every position also sees the next one, the very token a language model must predict."""

VERDICTS = {
    "causal_mask_shapes_and_values": ("failed", "'size 4: True on and below the diagonal only'"),
    "attention_masks_of_every_kind": ("failed", "'causal: outputs 0..3 unchanged when keys and values 4, 5 change'"),
    "attention_random": ("failed", "'causal: output'"),
    "encoder_block_matches_nn": ("failed", "'is_causal: outputs 0..2 unchanged when inputs 3.. change'"),
    "encoder_block_random": ("failed", "'agrees with nn.TransformerEncoderLayer(norm_first=True) (pre-norm: x + sublayer(norm(x)), the residual from x; attention per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)'"),
    "tiny_lm_structure_and_causality": ("failed", "'logits before position 12 unchanged when tokens 12.. change'"),
    "lm_training_step_on_text": ("failed", "'losses[0]'"),
    "lm_random": ("failed", "'agrees with the same model built from nn layers (pre-norm: x + sublayer(norm(x)), the residual from x; attention per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)'"),
}
DIAGNOSIS = {"*": ("diagonal", "off by one", "unchanged when")}


def causal_mask(size, key_size=None, device=None):
    key_size = size if key_size is None else key_size
    return torch.ones(size, key_size, dtype=torch.bool, device=device).tril(diagonal=1)
