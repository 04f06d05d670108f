"""train_and_log opens a SummaryWriter and never closes (nor flushes) it: when the function returns, the
last events may still be queued in memory (a reader may find the run incomplete), and the writer's thread
keeps running."""

VERDICTS = {
    "train_and_log_tensorboard": ("failed", "'SummaryWriters left open when train_and_log returns'"),
    "train_and_log_random": ("failed", "'SummaryWriters left open'"),
}
DIAGNOSIS = {"*": ("left open", "close")}


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
    for epoch in range(epochs):
        model.train()
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        model.eval()
        with torch.no_grad():
            val_loss = loss_fn(model(val_x), val_y).item()
        history["train_loss"].append(loss.item())
        history["val_loss"].append(val_loss)
        log_epoch(writer, epoch, loss.item(), val_loss, model if logger == "tensorboard" else None)
    log_hparams(writer, {"lr": lr, "epochs": epochs}, {"train_loss": history["train_loss"][-1], "val_loss": val_loss})
    if logger == "csv":
        writer.close()
    return history
