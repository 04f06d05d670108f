"""Rows written as f"{tag},{step},{value}\n" instead of through csv.writer: a comma, a quote or a newline in a
text splits its row, and str() of a tensor writes "tensor(0.2500)" where a number belongs (the hparams
table of train_and_log, four lines of text, becomes four broken rows)."""

VERDICTS = {
    "csv_logger_files": ("failed", "'after flush(), before close().scalars.csv[2][2]'"),
    "csv_logger_matches_tensorboard": ("failed", "'agrees with SummaryWriter: (tag, step, value) rows'"),
    "csv_logger_random": ("failed", "'after each flush: scalars.csv[0][1][2]'"),
    "train_and_log_csv": ("failed", "'files.text.csv"),
}
DIAGNOSIS = {"*": ("csv module", "quot", "'tensor(")}

import json  # noqa: E402
from pathlib import Path  # noqa: E402


class CSVLogger:
    def __init__(self, log_dir):
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._files = []
        for name, header in (("scalars.csv", "tag,step,value"), ("text.csv", "tag,step,text")):
            path = self.log_dir / name
            new = not path.exists() or path.stat().st_size == 0
            file = open(path, "a", encoding="utf-8")
            if new:
                file.write(header + "\n")
            self._files.append(file)

    def add_scalar(self, tag, scalar_value, global_step=None):
        self._files[0].write(",".join([tag, str(0 if global_step is None else global_step), str(scalar_value)]) + "\n")

    def add_text(self, tag, text_string, global_step=None):
        self._files[1].write(f"{tag},{0 if global_step is None else global_step},{text_string}\n")

    def add_hparams(self, hparam_dict, metric_dict, run_name=None):
        record = {"run": run_name, "hparams": dict(hparam_dict), "metrics": {k: float(v) for k, v in metric_dict.items()}}
        with open(self.log_dir / "hparams.jsonl", "a", encoding="utf-8") as file:
            file.write(json.dumps(record) + "\n")

    def flush(self):
        for file in self._files:
            file.flush()

    def close(self):
        for file in self._files:
            file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
