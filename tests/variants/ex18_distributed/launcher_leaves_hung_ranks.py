"""Joins with a timeout and raises TimeoutError, but never kills the rank that hangs: it goes on
running after launch has returned."""

VERDICTS = {
    "launch_reports_failures": ("failed", "'rank 1 hang: processes left behind'"),
    "launch_timeout_is_a_total": ("failed", "'rank 1 sleeps 4 s, timeout=2: processes left behind'"),
}
DIAGNOSIS = {"*": ("left behind", "kill")}


def launch(worker, world_size, *args, timeout=20.0):
    context = multiprocessing.get_context("fork")
    with tempfile.TemporaryDirectory(prefix="ex18-") as folder:
        store_path = os.path.join(folder, "store")
        paths = [os.path.join(folder, f"rank{rank}.pt") for rank in range(world_size)]
        processes = [
            context.Process(target=run_rank, args=(rank, world_size, store_path, paths[rank], worker, args))
            for rank in range(world_size)
        ]
        for process in processes:
            process.start()
        deadline = time.monotonic() + timeout
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
        if any(process.is_alive() for process in processes):
            raise TimeoutError(f"a rank was still running after {timeout} s")
        records = [torch.load(path, weights_only=True) if os.path.exists(path) else None for path in paths]
    failures = sorted((record["time"], rank, record) for rank, record in enumerate(records) if record and "error" in record)
    for _, rank, record in failures[:1]:
        kind = getattr(builtins, record["error"], None)
        if not (isinstance(kind, type) and issubclass(kind, Exception)):
            kind = RuntimeError
        raise kind(f"rank {rank}: {record['message']}")
    for rank, record in enumerate(records):
        if record is None:
            raise RuntimeError(f"rank {rank} exited with code {processes[rank].exitcode}")
    return [record["result"] for record in records]
