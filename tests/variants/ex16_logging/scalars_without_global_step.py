"""add_scalar(tag, value) without the step: every point lands on step 0, a vertical line instead of a curve."""

VERDICTS = {
    "log_epoch_scalars_and_histograms": ("failed", "'scalar loss/train.steps[1]'"),
    "log_epoch_works_with_any_logger": ("failed", "'add_scalar calls: [tag, value, step][0][2]'"),
    "train_and_log_tensorboard": ("failed", "'run.scalar loss/train.steps[1]'"),
    "train_and_log_csv": ("failed", "'files.scalars.csv[3][1]'"),
    "train_and_log_random": ("failed", "'run.scalar loss/"),
}
DIAGNOSIS = {"*": ("global_step", ".steps[", "[tag, value, step]")}


def log_epoch(writer, epoch, train_loss, val_loss, model=None):
    writer.add_scalar("loss/train", train_loss)
    writer.add_scalar("loss/val", val_loss)
    if model is not None:
        for name, parameter in model.named_parameters():
            writer.add_histogram(f"weights/{name}", parameter.detach(), epoch)
            if parameter.grad is not None:
                writer.add_histogram(f"grads/{name}", parameter.grad, epoch)
