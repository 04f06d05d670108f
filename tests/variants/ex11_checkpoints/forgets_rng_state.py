"""The checkpoint has model, optimizer and epoch, but not the RNG state.

Without dropout the resumed run is still exact; with dropout, building the fresh
model drew random numbers, so the resumed epochs draw different masks.
"""

VERDICTS = {
    "resume_with_dropout_restores_rng": ("failed", "'RNG state restored by load_checkpoint'"),
    "resume_random": ("failed", "'RNG state restored by load_checkpoint'"),
}
DIAGNOSIS = {"*": ("rng", "random state")}

import torch  # noqa: E402


def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}, path)


def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"] + 1
