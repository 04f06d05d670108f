"""Correct, written differently: file objects, other key names and nesting, the next epoch stored,
map_location as a device or a function, a copy made with empty + copy_."""

VERDICTS = {}

import torch  # noqa: E402


def save_tensors(path, tensors):
    with open(path, "wb") as file:
        torch.save(tensors, file)


def load_tensors(path):
    with open(path, "rb") as file:
        return torch.load(file, map_location=torch.device("cpu"))  # weights_only=True is the default


def save_compact(path, tensor):
    copy = torch.empty(tensor.shape, dtype=tensor.dtype)
    copy.copy_(tensor.detach())
    torch.save(copy, path)


def save_weights(path, model):
    torch.save({name: value for name, value in model.state_dict().items()}, path)


def load_for_inference(path, model):
    state = torch.load(path, map_location=lambda storage, location: storage, weights_only=True)
    missing, unexpected = model.load_state_dict(state, strict=True)
    model.train(False)
    return model


def save_checkpoint(path, model, optimizer, epoch):
    torch.save(
        {
            "state": {"net": model.state_dict(), "optim": optimizer.state_dict()},
            "meta": {"next_epoch": epoch + 1, "generator": torch.random.get_rng_state()},
        },
        path,
    )


def load_checkpoint(path, model, optimizer):
    device = next(model.parameters()).device
    saved = torch.load(path, map_location=device, weights_only=True)
    optimizer.load_state_dict(saved["state"]["optim"])
    model.load_state_dict(saved["state"]["net"])
    torch.random.set_rng_state(saved["meta"]["generator"])
    return saved["meta"]["next_epoch"]


def load_with_safe_globals(path, allowed):
    with open(path, "rb") as file, torch.serialization.safe_globals(list(allowed)):
        return torch.load(file, map_location="cpu", weights_only=True)
