"""scaled_step autocasts to float16 on every device (the CPU's autocast type is bfloat16)."""

VERDICTS = {
    "scaled_step_trains_and_grows_the_scale[cpu]": ("failed", "'model output under autocast is 16-bit (the type for the device)[0]'"),
    "scaled_step_skips_an_infinite_step[cpu]": ("failed", "'loss (as returned: a Python float)'"),
    "scaled_step_random_problem[cpu]": ("failed", "'model output under autocast is 16-bit (the type for the device)[0]'"),
}
DIAGNOSIS = {"*": ("16-bit (the type for the device)", "float16", "autocast")}

import torch  # noqa: E402


def scaled_step(model, optimizer, scaler, x, y, criterion):
    optimizer.zero_grad()
    with torch.autocast(device_type=x.device.type, dtype=torch.float16):
        loss = criterion(model(x), y)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.item()
