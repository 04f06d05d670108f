"""Correct, written differently: the ranks meet over TCP on the loopback (a free port picked by
the launcher, init_method="tcp://127.0.0.1:PORT") and are started by
torch.multiprocessing.start_processes with the fork start method; the gradients travel in one
flat buffer, divided before the all_reduce; the broadcast goes through the state_dict's tensors
(which share the parameters' memory); the sampler is built from tensor operations; training
iterates over this file's ShardedSampler, zeroes the gradients after each step and saves the
DDP wrapper's inner module."""

VERDICTS = {}

import socket  # noqa: E402

import torch.multiprocessing as torch_mp  # noqa: E402


def init_process(rank, world_size, store_path):
    os.environ["GLOO_SOCKET_IFNAME"] = "lo"
    dist.init_process_group(backend="gloo", init_method=store_path, rank=rank, world_size=world_size)


def _rank_entry(rank, world_size, address, folder, worker, args):
    run_rank(rank, world_size, address, os.path.join(folder, f"rank{rank}.pt"), worker, args)


def launch(worker, world_size, *args, timeout=20.0):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as folder:
        context = torch_mp.start_processes(
            _rank_entry,
            args=(world_size, f"tcp://127.0.0.1:{port}", folder, worker, args),
            nprocs=world_size,
            join=False,
            start_method="fork",
        )
        deadline = time.monotonic() + timeout
        finished = False
        try:
            while not finished and time.monotonic() < deadline:
                try:
                    finished = context.join(timeout=0.05)
                except torch_mp.ProcessExitedException:  # a rank died: its result file is missing
                    finished = True
        finally:
            for process in context.processes:
                if process.is_alive():
                    process.kill()
                process.join()
        if not finished:
            raise TimeoutError(f"not every rank finished within {timeout} s")
        records = {}
        for rank in range(world_size):
            path = os.path.join(folder, f"rank{rank}.pt")
            if not os.path.exists(path):
                raise RuntimeError(f"rank {rank} died (exit code {context.processes[rank].exitcode})")
            records[rank] = torch.load(path, weights_only=True)
    errors = {rank: record for rank, record in records.items() if "error" in record}
    if errors:
        first = min(errors, key=lambda rank: errors[rank]["time"])
        kind = getattr(builtins, errors[first]["error"], RuntimeError)
        if not isinstance(kind, type) or not issubclass(kind, Exception):
            kind = RuntimeError
        raise kind(", ".join(f"rank {rank}: {record['message']}" for rank, record in sorted(errors.items())))
    return [records[rank]["result"] for rank in range(world_size)]


def average_gradients(model):
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    if not grads:
        return
    flat = torch.cat([g.reshape(-1) for g in grads]) / dist.get_world_size()
    dist.all_reduce(flat)
    offset = 0
    for grad in grads:
        grad.copy_(flat[offset : offset + grad.numel()].view_as(grad))
        offset += grad.numel()


def broadcast_parameters(model, src=0):
    for tensor in model.state_dict().values():
        dist.broadcast(tensor, src=src)


class ShardedSampler(Sampler[int]):
    def __init__(self, dataset, num_replicas, rank, shuffle=True, seed=0, drop_last=False):
        if rank < 0 or rank >= num_replicas:
            raise ValueError("invalid rank")
        self.n, self.replicas, self.rank = len(dataset), num_replicas, rank
        self.shuffle, self.seed, self.drop_last, self.epoch = shuffle, seed, drop_last, 0

    def set_epoch(self, epoch):
        self.epoch = epoch

    def __len__(self):
        if self.drop_last:
            return self.n // self.replicas
        return (self.n + self.replicas - 1) // self.replicas

    def __iter__(self):
        if self.shuffle:
            order = torch.randperm(self.n, generator=torch.Generator().manual_seed(self.seed + self.epoch))
        else:
            order = torch.arange(self.n)
        total = len(self) * self.replicas
        if total > self.n:
            order = order.repeat(-(-total // self.n))
        return iter(order[:total].view(-1, self.replicas)[:, self.rank].tolist() if total else [])


def train_data_parallel(rank, world_size, model, dataset, criterion, *, epochs, batch_size, lr, use_ddp, seed=0,
                        checkpoint_path=None):
    sampler = ShardedSampler(dataset, world_size, rank, seed=seed)
    loader = DataLoader(dataset, batch_size=batch_size, sampler=sampler)
    net = DistributedDataParallel(model) if use_ddp else model
    if not use_ddp:
        broadcast_parameters(model)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    optimizer.zero_grad()
    losses = []
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        for inputs, targets in loader:
            loss = criterion(net(inputs), targets)
            loss.backward()
            if not use_ddp:
                average_gradients(model)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(float(loss.detach()))
    if checkpoint_path:
        if dist.get_rank() == 0:
            plain = net.module if isinstance(net, DistributedDataParallel) else net
            torch.save({name: tensor.clone() for name, tensor in plain.state_dict().items()}, checkpoint_path)
        dist.barrier()
    return losses
