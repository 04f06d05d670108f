"""optimizer.step() instead of scaler.step(optimizer), and no scaler.update(): the gradients are
never unscaled, an inf/NaN step is not skipped, and the scale never changes."""

VERDICTS = {
    "scaled_step_trains_and_grows_the_scale[cpu]": ("failed", "'scale after each step[0]'"),
    "scaled_step_skips_an_infinite_step[cpu]": ("failed", "'parameters unchanged (step skipped)'"),
    "scaled_step_random_problem[cpu]": ("failed", "'gradients after the last step (unscaled)'"),
}
DIAGNOSIS = {"*": ("scaler.step", "unscale", "scale after", "scale or normaliser", "factor lost or added")}

import torch  # noqa: E402


def scaled_step(model, optimizer, scaler, x, y, criterion):
    optimizer.zero_grad()
    dtype = torch.float16 if x.device.type == "cuda" else torch.bfloat16
    with torch.autocast(device_type=x.device.type, dtype=dtype):
        loss = criterion(model(x), y)
    scaler.scale(loss).backward()
    optimizer.step()
    return loss.item()
