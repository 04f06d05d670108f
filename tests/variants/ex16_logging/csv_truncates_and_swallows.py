"""The CSV files opened with "w" (every new logger wipes the folder's earlier rows) and an __exit__ that
returns True (an exception inside `with` vanishes: training "succeeds" silently)."""

VERDICTS = {
    "csv_logger_context_and_reopen": ("failed", "'reopened folder: rows appended, one header.scalars.csv.len'"),
    "csv_logger_random": ("failed", "'after each flush: scalars.csv[1]"),
}
DIAGNOSIS = {"*": ("appended", "append mode")}

import csv  # noqa: E402
import json  # noqa: E402
from pathlib import Path  # noqa: E402


class CSVLogger:
    def __init__(self, log_dir):
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._files, self._writers = [], []
        for name, header in (("scalars.csv", ("tag", "step", "value")), ("text.csv", ("tag", "step", "text"))):
            file = open(self.log_dir / name, "w", encoding="utf-8", newline="")
            writer = csv.writer(file)
            writer.writerow(header)
            self._files.append(file)
            self._writers.append(writer)

    def add_scalar(self, tag, scalar_value, global_step=None):
        self._writers[0].writerow([tag, 0 if global_step is None else global_step, float(scalar_value)])

    def add_text(self, tag, text_string, global_step=None):
        self._writers[1].writerow([tag, 0 if global_step is None else global_step, text_string])

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
        return True
