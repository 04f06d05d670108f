"""scaled_step returns the loss tensor (detached) instead of a Python float."""

VERDICTS = {
    "scaled_step_trains_and_grows_the_scale[cpu]": ("failed", "'losses (as returned: Python floats)[0]': expected number, got a tensor"),
    "scaled_step_skips_an_infinite_step[cpu]": ("failed", "'loss (as returned: a Python float)': expected number, got a tensor"),
    "scaled_step_random_problem[cpu]": ("failed", "'losses (as returned: Python floats)[0]'"),
}
DIAGNOSIS = {"*": ("python float", "got a tensor", ".item()")}

import torch  # noqa: E402


def scaled_step(model, optimizer, scaler, x, y, criterion):
    optimizer.zero_grad()
    dtype = torch.float16 if x.device.type == "cuda" else torch.bfloat16
    with torch.autocast(device_type=x.device.type, dtype=dtype):
        loss = criterion(model(x), y)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.detach()
