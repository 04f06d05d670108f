"""add_hparams without run_name: the sub-run is named after the clock (a new folder at every call) and the
metrics keep their bare names, next to the run's own curves."""

VERDICTS = {
    "log_hparams_reads_back": ("failed", "'run.sub-runs[0]'"),
    "train_and_log_tensorboard": ("failed", "'run.sub-runs[0]'"),
    "train_and_log_csv": ("failed", "'files.hparams.jsonl[0].run'"),
    "train_and_log_random": ("failed", "'run.sub-runs[0]'"),
}
DIAGNOSIS = {"*": ("run_name", "sub-run")}


def log_hparams(writer, hparams, metrics, run_name="hparams"):
    writer.add_text("hparams", hparams_table(hparams), 0)
    writer.add_hparams(hparams, metrics)
