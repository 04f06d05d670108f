"""scaler.update() forgotten: steps are right, but the scale never grows after good steps
nor shrinks after a skipped one."""

# PyTorch itself refuses a second scaler.step() without an update() in between: an error, not
# a wrong value, on the checks of two or three steps.
VERDICTS = {
    "scaled_step_trains_and_grows_the_scale[cpu]": ("error", "step() has already been called since the last update()"),
    "scaled_step_skips_an_infinite_step[cpu]": ("failed", "'scale after the step'"),
    "scaled_step_random_problem[cpu]": ("error", "step() has already been called since the last update()"),
}
DIAGNOSIS = {"*": ("update()", "scale after")}

import torch  # noqa: E402


def scaled_step(model, optimizer, scaler, x, y, criterion):
    optimizer.zero_grad()
    dtype = torch.float16 if x.device.type == "cuda" else torch.bfloat16
    with torch.autocast(device_type=x.device.type, dtype=dtype):
        loss = criterion(model(x), y)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    return loss.item()
