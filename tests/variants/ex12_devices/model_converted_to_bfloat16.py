"""Mixed precision by converting the model and the input to bfloat16: right output dtype,
but the float32 weights are gone (and the caller's input tensor is untouched only by luck)."""

VERDICTS = {
    "autocast_forward_lowers_precision[cpu]": ("failed", "'weights still float32'"),
    "autocast_forward_random[cpu]": ("failed", "'weights still float32'"),
}
DIAGNOSIS = {"*": ("still float32", "converting the model")}

import torch  # noqa: E402


def autocast_forward(model, x, device):
    dtype = torch.float16 if device.type == "cuda" else torch.bfloat16
    model.to(dtype)
    return model(x.to(dtype))
