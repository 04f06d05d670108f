"""loss.backward() instead of scaler.scale(loss).backward(): PyTorch notices at scaler.step
(the scale was never created) and the learner sees its message, located in their file."""

VERDICTS = {
    "scaled_step_trains_and_grows_the_scale[cpu]": ("error", "did not use scaler.scale(loss or outputs)"),
    "scaled_step_skips_an_infinite_step[cpu]": ("error", "did not use scaler.scale(loss or outputs)"),
    "scaled_step_random_problem[cpu]": ("error", "did not use scaler.scale(loss or outputs)"),
}
DIAGNOSIS = {"*": "scaler.scale"}

import torch  # noqa: E402


def scaled_step(model, optimizer, scaler, x, y, criterion):
    optimizer.zero_grad()
    dtype = torch.float16 if x.device.type == "cuda" else torch.bfloat16
    with torch.autocast(device_type=x.device.type, dtype=dtype):
        loss = criterion(model(x), y)
    loss.backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.item()
