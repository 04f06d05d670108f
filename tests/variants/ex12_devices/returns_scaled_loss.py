"""scaled_step returns the *scaled* loss (scaler.scale(loss).item()), 128 times the real one,
and unscales the gradients by hand a second time after unscale_: steps 128 times too small."""

VERDICTS = {
    "scaled_step_trains_and_grows_the_scale[cpu]": ("failed", "'gradients after the last step (unscaled)'"),
    "scaled_step_random_problem[cpu]": ("failed", "'gradients after the last step (unscaled)'"),
    "scaled_step_skips_an_infinite_step[cpu]": ("failed", "'loss (as returned: a Python float)'"),
}
DIAGNOSIS = {"*": ("scaled loss", "unscale", "scale or normaliser", "factor lost or added")}

import torch  # noqa: E402


def scaled_step(model, optimizer, scaler, x, y, criterion):
    optimizer.zero_grad()
    dtype = torch.float16 if x.device.type == "cuda" else torch.bfloat16
    with torch.autocast(device_type=x.device.type, dtype=dtype):
        loss = criterion(model(x), y)
    scaled = scaler.scale(loss)
    scaled.backward()
    scaler.unscale_(optimizer)
    with torch.no_grad():
        for p in model.parameters():
            p.grad /= scaler.get_scale()
    scaler.step(optimizer)
    scaler.update()
    return scaled.item()
