"""writer.add_scalars("loss", {"train": ..., "val": ...}) instead of two add_scalar calls: TensorBoard
writes each curve into a sub-run of its own (loss_train/, loss_val/), with no "loss/train" tag in the run."""

VERDICTS = {
    "log_epoch_scalars_and_histograms": ("failed", "'scalar tags.len'"),
    "log_epoch_works_with_any_logger": ("error", "add_scalars"),
    "train_and_log_tensorboard": ("failed", "'run.scalar tags.len'"),
    "train_and_log_csv": ("error", "add_scalars"),
    "train_and_log_random": ("failed", "'run.scalar tags.len'"),
}
DIAGNOSIS = {"*": ("add_scalars", "sub-runs")}


def log_epoch(writer, epoch, train_loss, val_loss, model=None):
    writer.add_scalars("loss", {"train": train_loss, "val": val_loss}, epoch)
    if model is not None:
        for name, parameter in model.named_parameters():
            writer.add_histogram(f"weights/{name}", parameter.detach(), epoch)
            if parameter.grad is not None:
                writer.add_histogram(f"grads/{name}", parameter.grad, epoch)
