"""Correct, written differently: the ranks meet through a file:// init_method; results come back
through pipes as pickled bytes (no result files), read as they arrive; the launcher re-raises
with exception classes looked up in a table; run_rank hands its record to a sender; gradients
are divided first and summed afterwards; the broadcast sends rank src's state_dict as one Python
object and loads it into the other ranks (load_state_dict copies in place); the sampler works
on Python lists with itertools; the DDP run keeps DDP's default buffer broadcast."""

VERDICTS = {}

import itertools  # noqa: E402
import pickle  # noqa: E402
from multiprocessing.connection import wait as wait_for  # noqa: E402


def init_process(rank, world_size, store_path):
    os.environ.update(GLOO_SOCKET_IFNAME="lo")
    dist.init_process_group("gloo", init_method="file://" + store_path, world_size=world_size, rank=rank)


def run_rank(rank, world_size, store_path, result_path, worker, args):
    # result_path is the sending end of a pipe here
    joined = False
    try:
        init_process(rank, world_size, store_path)
        joined = True
        record = {"result": worker(rank, world_size, *args)}
    except BaseException as error:  # noqa: BLE001
        record = {"error": type(error).__name__, "message": str(error), "time": time.monotonic()}
        traceback.print_exc()
    if joined:
        dist.destroy_process_group()
    result_path.send_bytes(pickle.dumps(record))
    result_path.close()


KNOWN = {cls.__name__: cls for cls in (ValueError, TypeError, KeyError, IndexError, NotImplementedError,
                                         RuntimeError, AssertionError, ZeroDivisionError, TimeoutError)}


def launch(worker, world_size, *args, timeout=20.0):
    context = multiprocessing.get_context("fork")
    folder = tempfile.mkdtemp()
    try:
        store = os.path.join(folder, "store")
        pipes = [context.Pipe(duplex=False) for _ in range(world_size)]
        processes = [context.Process(target=run_rank, args=(r, world_size, store, pipes[r][1], worker, args))
                     for r in range(world_size)]
        for process in processes:
            process.start()
        for _, sender in pipes:
            sender.close()
        records = [None] * world_size
        waiting = {pipes[r][0]: r for r in range(world_size)}
        deadline = time.monotonic() + timeout
        while waiting and time.monotonic() < deadline:
            for ready in wait_for(list(waiting), timeout=max(0.0, deadline - time.monotonic())):
                rank = waiting.pop(ready)
                try:
                    records[rank] = pickle.loads(ready.recv_bytes())
                except EOFError:
                    records[rank] = None
        late = bool(waiting)
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            late = late or process.is_alive()
            if process.is_alive():
                process.kill()
            process.join()
        if late:
            raise TimeoutError("some ranks did not finish in time")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for rank, record in enumerate(records):
        if record is None:
            raise RuntimeError(f"rank {rank} ended (exit code {processes[rank].exitcode}) without sending a result")
    failed = sorted(((rank, record) for rank, record in enumerate(records) if "error" in record),
                    key=lambda item: item[1]["time"])
    if failed:
        raise KNOWN.get(failed[0][1]["error"], RuntimeError)(
            " / ".join(f"rank {rank} {record['error']}: {record['message']}" for rank, record in failed)
        )
    return [record["result"] for record in records]


import shutil  # noqa: E402


def average_gradients(model):
    size = dist.get_world_size()
    for p in model.parameters():
        if p.grad is None:
            continue
        p.grad.div_(size)
        dist.all_reduce(p.grad)


def broadcast_parameters(model, src=0):
    box = [model.state_dict() if dist.get_rank() == src else None]
    dist.broadcast_object_list(box, src=src)
    if dist.get_rank() != src:
        model.load_state_dict(box[0])


class ShardedSampler(Sampler[int]):
    def __init__(self, dataset, num_replicas, rank, shuffle=True, seed=0, drop_last=False):
        if not (0 <= rank < num_replicas):
            raise ValueError(f"bad rank {rank}")
        self.dataset, self.num_replicas, self.rank = dataset, num_replicas, rank
        self.shuffle, self.seed, self.drop_last = shuffle, seed, drop_last
        self.epoch = 0
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)

    def set_epoch(self, epoch):
        self.epoch = epoch

    def __len__(self):
        return self.num_samples

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            g = torch.Generator()
            g.manual_seed(self.seed + self.epoch)
            order = [int(i) for i in torch.randperm(n, generator=g)]
        else:
            order = list(range(n))
        total = self.num_samples * self.num_replicas
        padded = list(itertools.islice(itertools.cycle(order), total)) if order else []
        return itertools.islice(padded, self.rank, None, self.num_replicas)


def train_data_parallel(rank, world_size, model, dataset, criterion, *, epochs, batch_size, lr, use_ddp, seed=0,
                        checkpoint_path=None):
    sampler = DistributedSampler(dataset, world_size, rank, shuffle=True, seed=seed)
    if use_ddp:
        step_model = DistributedDataParallel(model)
    else:
        broadcast_parameters(model)
        step_model = model
    optimizer = torch.optim.SGD(step_model.parameters(), lr)
    losses = []
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        for inputs, targets in DataLoader(dataset, batch_size, sampler=sampler):
            optimizer.zero_grad()
            loss = criterion(step_model(inputs), targets)
            loss.backward()
            if not use_ddp:
                average_gradients(model)
            optimizer.step()
            losses.append(loss.item())
    if checkpoint_path is not None:
        if rank == 0:
            with open(checkpoint_path, "wb") as file:
                torch.save(model.state_dict(), file)
        dist.barrier()
    return losses
