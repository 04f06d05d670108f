"""Sines in the first half of the columns and cosines in the second, instead of interleaved (even: sin, odd: cos)."""

VERDICTS = {
    "positional_encoding_values": ("failed", "'agrees with the formula (sin in the even columns, cos in the odd ones)'"),
    "tiny_lm_structure_and_causality": ("failed", "'agrees with the same model built from nn.TransformerEncoderLayer (pre-norm: x + sublayer(norm(x)), the residual from x; attention per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)'"),
    "lm_training_step_on_text": ("failed", "'losses[0]'"),
    "lm_random": ("failed", "'agrees with the same model built from nn layers (pre-norm: x + sublayer(norm(x)), the residual from x; attention per head h = channels h·d:(h+1)·d, softmax(q·kᵀ/√d) over the keys)'"),
}
DIAGNOSIS = {"*": ("interleav", "sin in the even")}


def sinusoidal_positional_encoding(max_len, d_model):
    position = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)
    frequencies = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))
    return torch.cat([torch.sin(position * frequencies), torch.cos(position * frequencies[: d_model // 2])], dim=1)
