"""CSVLogger.flush() that does nothing: the rows sit in the file buffer until close(), invisible to a
reader (a live plot, a crash) while training runs."""

VERDICTS = {
    "csv_logger_files": ("failed", "'after flush(), before close().scalars.csv.len'"),
    "csv_logger_random": ("failed", "'after each flush: scalars.csv[0].len'"),
}
DIAGNOSIS = {"*": "flush"}


def _flush_nothing(self):
    pass


CSVLogger.flush = _flush_nothing
