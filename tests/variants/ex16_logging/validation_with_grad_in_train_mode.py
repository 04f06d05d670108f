"""Validation without model.eval() and torch.no_grad(): dropout stays on for the val loss, and a graph is
built for nothing."""

VERDICTS = {
    "train_and_log_tensorboard": ("failed", "(validation in eval mode, under no_grad)"),
    "train_and_log_csv": ("failed", "(validation in eval mode, under no_grad)"),
    "train_and_log_random": ("failed", "(validation in eval mode, under no_grad)"),
}
DIAGNOSIS = {"*": ("eval", "no_grad")}


def train_and_log(model, train_data, val_data, log_dir, *, epochs, lr, loss_fn=nn.functional.mse_loss, logger="tensorboard"):
    if logger == "tensorboard":
        from torch.utils.tensorboard import SummaryWriter

        writer = SummaryWriter(str(log_dir))
    elif logger == "csv":
        writer = CSVLogger(log_dir)
    else:
        raise ValueError(f"unknown logger {logger!r}")
    (x, y), (val_x, val_y) = train_data, val_data
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = {"train_loss": [], "val_loss": []}
    with writer:
        for epoch in range(epochs):
            model.train()
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            val_loss = loss_fn(model(val_x), val_y).item()
            history["train_loss"].append(loss.item())
            history["val_loss"].append(val_loss)
            log_epoch(writer, epoch, loss.item(), val_loss, model if logger == "tensorboard" else None)
        log_hparams(writer, {"lr": lr, "epochs": epochs}, {"train_loss": loss.item(), "val_loss": val_loss})
    return history
