"""Exercise 18 — distributed data parallel training, on the CPU, with two processes.

Data parallelism is how a model is trained on several machines (or GPUs) at
once: every process, called a *rank*, holds a full copy of the model and gets a
different part of the data. After each backward pass the ranks average their
gradients, so every copy takes exactly the same step and the copies never drift
apart. With equal parts and a mean-reduced loss, the averaged gradient *is* the
gradient one process would compute on the whole batch: N ranks train the same
model as one process, N times faster.

Everything here runs on one machine, on the CPU, with the `gloo` backend:

- **Launching** (`launch`, `run_rank`): start `world_size` processes. Here they
  are forked (`multiprocessing.get_context("fork")`): a fork is cheap and
  inherits the parent's objects (models, data, functions) without pickling them;
  `torch.multiprocessing.spawn` and `torchrun` start fresh interpreters instead.
  Every process you start must end: join with a timeout, kill what is left.
- **The process group** (`init_process`): `dist.init_process_group("gloo", ...)`
  makes the ranks find each other through a *store*, here a `dist.FileStore`, a
  file in a folder they share (a `TCPStore` at MASTER_ADDR:MASTER_PORT is the
  other common choice). Gloo then connects every pair of ranks with TCP
  sockets, even on one machine: on the loopback interface (GLOO_SOCKET_IFNAME=lo).
- **Collectives** (`average_gradients`, `broadcast_parameters`):
  `dist.all_reduce(t)` replaces `t`, in place, by the sum of every rank's `t`;
  `dist.broadcast(t, src)` copies rank `src`'s `t` into everyone's; `dist.barrier()`
  waits for every rank. Every rank must call the same collectives in the same
  order: a rank that skips one leaves the others waiting forever.
- **DistributedDataParallel** does both for you: at construction it broadcasts
  rank 0's parameters and buffers, and during backward it all-reduces the
  gradients (in buckets, overlapping with the backward) and divides them by the
  world size.
- **Sharding the data** (`ShardedSampler`, as `DistributedSampler`): rank r takes
  the indices r, r + N, r + 2N, … of the (shuffled) dataset. Every rank must get
  the *same number* of samples, or one rank runs a step more and waits forever
  in its all-reduce: the sampler pads the list by repeating its first indices
  (or, with drop_last, drops the tail). It shuffles with a generator seeded by
  seed + epoch, the same on every rank: call `set_epoch(epoch)` before each
  epoch, or every epoch sees the same order.
- **Side effects once** (`train_data_parallel`): all ranks hold the same model,
  so only rank 0 saves the checkpoint, and a barrier makes the others wait until
  it is written.

The functions that run on one rank take `rank` and `world_size` first, so that
`launch(worker, world_size, *args)` can call `worker(rank, world_size, *args)`.
"""

from __future__ import annotations

import builtins
import math
import multiprocessing
import os
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sized
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset, DistributedSampler, Sampler

Criterion = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


# --- starting the ranks -------------------------------------------------------------------


def init_process(rank: int, world_size: int, store_path: str) -> None:
    """Join the gloo process group as `rank` of `world_size`, meeting through a file.

    What: point gloo at the loopback interface (os.environ["GLOO_SOCKET_IFNAME"] = "lo":
    all ranks run on this machine), then call `dist.init_process_group` with the
    backend "gloo", a `dist.FileStore(store_path, world_size)` as its store, and
    this rank and world size. It returns once every rank has joined.
    Why: the store is where ranks leave their addresses for each other; a file
    needs no free port and no network, only a folder every rank can see (use a
    fresh file each time: a store left over from an earlier run confuses the next
    one). Gloo then opens a TCP connection between every pair of ranks. Without
    the interface, it uses the address the machine's host name resolves to,
    which may not exist in a container or a sandbox.
    Example: in each of two processes, init_process(rank, 2, "/tmp/run/store");
    then dist.get_rank() → rank, dist.get_world_size() → 2, dist.get_backend() → "gloo".
    """
    # BEGIN SOLUTION loopback for gloo; init_process_group("gloo", store=FileStore(path, world_size), rank=, world_size=)
    os.environ["GLOO_SOCKET_IFNAME"] = "lo"
    store = dist.FileStore(store_path, world_size)
    dist.init_process_group("gloo", store=store, rank=rank, world_size=world_size)
    # END SOLUTION


def run_rank(rank: int, world_size: int, store_path: str, result_path: str, worker: Callable[..., Any], args: tuple) -> None:
    """The body of one launched process: join the group, run `worker`, write down what happened.

    What: `init_process(rank, world_size, store_path)`, then call
    `worker(rank, world_size, *args)`: the record is {"result": what worker
    returned} or, if either raised, {"error": the exception's class name,
    "message": str(error), "time": time.monotonic() when it was caught} (print
    the traceback too: `traceback.print_exc()`). In any case, leave the group
    afterwards, in a `finally` (`dist.destroy_process_group()`, if
    `dist.is_initialized()`: the init itself may have failed). Then save the
    record with `torch.save(record, result_path)`. Never let the worker's
    exception escape: the launcher reads the file.
    Why: a process cannot return a value to its parent; it has to send it
    somewhere. A file per rank is the simplest channel: plain tensors and
    containers, read back with `torch.load(..., weights_only=True)`, and it
    survives a rank that is killed (its file is simply missing). The time tells
    the launcher which failure came first (the monotonic clock is the same for
    every process of a machine): take it before leaving the group, since the
    other ranks fail as soon as this one is gone.
    Example: run_rank(1, 2, store, "/tmp/run/rank1.pt", lambda rank, world: rank * 10, ())
    writes {"result": 10} to /tmp/run/rank1.pt.
    """
    # BEGIN SOLUTION try: init, record the worker's result; except: print, record the error and the time; finally: destroy; torch.save the record
    try:
        init_process(rank, world_size, store_path)
        record = {"result": worker(rank, world_size, *args)}
    except BaseException as error:  # noqa: BLE001 - reported to the launcher, which raises it
        traceback.print_exc()
        record = {"error": type(error).__name__, "message": str(error), "time": time.monotonic()}
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
    torch.save(record, result_path)
    # END SOLUTION


def launch(worker: Callable[..., Any], world_size: int, *args: Any, timeout: float = 20.0) -> list[Any]:
    """Run `worker(rank, world_size, *args)` in `world_size` forked processes; return their results.

    What: make a fresh temporary folder (`tempfile.TemporaryDirectory()`) holding
    the store file "store" and one result file per rank ("rank0.pt", ...). Start
    one process per rank with `multiprocessing.get_context("fork").Process`,
    target `run_rank`. Join them all, within `timeout` seconds in total; kill
    (`.kill()`, then `.join()`) any still alive then, and whatever happens, before
    leaving. Then:
      - if a rank was still running at the deadline: raise TimeoutError;
      - if ranks recorded errors: raise the one that happened first again here,
        as the same built-in exception class when it is one (`getattr(builtins,
        name)`: ValueError, NotImplementedError, ...), else as RuntimeError,
        with the rank and the message of every rank that failed;
      - if a rank left no result file (it died): raise RuntimeError with its exit code.
    Return [rank 0's result, rank 1's result, ...], loaded with
    `torch.load(path, weights_only=True)`.
    Why: a launcher's job is to make N processes behave like one function call:
    results come back in rank order, errors come back as errors, and nothing
    outlives the call. A hung rank (waiting in a collective that another rank
    never called) is the classic distributed bug; without a timeout, the
    launcher hangs with it. The first error is the one to report: when a rank
    dies, the others soon fail too ("Connection closed by peer"), and those
    errors only say that somebody else failed first. Forking shares the
    parent's objects with the children for free, so `worker` and its
    arguments need not be picklable.
    Example: launch(lambda rank, world: rank * 10, 2) → [0, 10];
    a worker that raises ValueError on rank 1 makes launch raise ValueError.
    """
    # BEGIN SOLUTION temp folder; fork one Process(target=run_rank) per rank; join by a deadline; kill leftovers; raise the first error or load results
    context = multiprocessing.get_context("fork")
    with tempfile.TemporaryDirectory(prefix="ex18-") as folder:
        store_path = os.path.join(folder, "store")
        paths = [os.path.join(folder, f"rank{rank}.pt") for rank in range(world_size)]
        processes = [
            context.Process(target=run_rank, args=(rank, world_size, store_path, paths[rank], worker, args))
            for rank in range(world_size)
        ]
        try:
            for process in processes:
                process.start()
            deadline = time.monotonic() + timeout
            for process in processes:
                process.join(max(0.0, deadline - time.monotonic()))
            hung = [rank for rank, process in enumerate(processes) if process.is_alive()]
        finally:
            for process in processes:
                if process.is_alive():
                    process.kill()
                process.join()
        if hung:
            raise TimeoutError(f"ranks {hung} were still running after {timeout} s")
        records = [torch.load(path, weights_only=True) if os.path.exists(path) else None for path in paths]
    failures = [(rank, record) for rank, record in enumerate(records) if record is not None and "error" in record]
    failures.sort(key=lambda failure: failure[1]["time"])
    if failures:
        message = "; ".join(f"rank {rank}: {record['error']}: {record['message']}" for rank, record in failures)
        kind = getattr(builtins, failures[0][1]["error"], None)
        if not (isinstance(kind, type) and issubclass(kind, Exception)):
            kind = RuntimeError
        raise kind(message)
    for rank, record in enumerate(records):
        if record is None:
            raise RuntimeError(f"rank {rank} exited with code {processes[rank].exitcode} without a result")
    return [record["result"] for record in records]
    # END SOLUTION


# --- collectives by hand ------------------------------------------------------------------


def average_gradients(model: nn.Module) -> None:
    """Replace every gradient of `model` by its mean over all ranks, in place.

    What: for each parameter whose `.grad` is not None (frozen or unused
    parameters have none: skip them), `dist.all_reduce(p.grad)` (it sums, in
    place, over every rank), then divide it by `dist.get_world_size()`. Call it
    on every rank, after `backward()` and before `optimizer.step()`.
    Why: this is what DistributedDataParallel does during backward. all_reduce
    sums; the mean is what one process would get on the whole batch (each
    rank's loss is already a mean over its own samples). Forget the division and
    every step is world_size times too large.
    Example: two ranks whose weight.grad are [1., 2.] and [3., 6.] both end
    with [2., 4.].
    """
    # BEGIN SOLUTION for each parameter with a grad: all_reduce (a sum), then divide by the world size
    world_size = dist.get_world_size()
    for parameter in model.parameters():
        if parameter.grad is not None:
            dist.all_reduce(parameter.grad, op=dist.ReduceOp.SUM)
            parameter.grad /= world_size
    # END SOLUTION


def broadcast_parameters(model: nn.Module, src: int = 0) -> None:
    """Make every rank's parameters and buffers equal to rank `src`'s, in place.

    What: under `torch.no_grad()`, `dist.broadcast(t, src)` for every parameter
    and every buffer of `model` (`model.parameters()`, `model.buffers()`), in
    the same order on every rank. The tensors keep their identity: the
    optimizer and anything else holding them sees the new values.
    Why: each rank builds its own model, and random initialisation gives each a
    different one; averaged gradients keep copies equal only if they start
    equal. DistributedDataParallel does this when it is constructed, buffers
    (BatchNorm's running statistics) included.
    Example: rank 0 built weight [[1., 2.]], rank 1 [[5., 5.]]: after
    broadcast_parameters(model) both hold [[1., 2.]].
    """
    # BEGIN SOLUTION no_grad; dist.broadcast(tensor, src) for every parameter, then every buffer
    with torch.no_grad():
        for tensor in [*model.parameters(), *model.buffers()]:
            dist.broadcast(tensor, src)
    # END SOLUTION


# --- sharding the data ---------------------------------------------------------------------


class ShardedSampler(Sampler[int]):
    """The indices of one rank's shard of a dataset, as `torch.utils.data.DistributedSampler`.

    What:
    - `__init__(dataset, num_replicas, rank, shuffle=True, seed=0, drop_last=False)`:
      raise ValueError unless 0 ≤ rank < num_replicas. With n = len(dataset),
      each rank gets num_samples = ⌈n / num_replicas⌉ indices, or, with
      drop_last, ⌊n / num_replicas⌋. Keep everything; the epoch starts at 0.
    - `set_epoch(epoch)`: remember it; it changes the next iteration's order.
    - `__len__()`: num_samples.
    - `__iter__()`: the order is 0, 1, …, n − 1, or with shuffle
      `torch.randperm(n, generator=g)` where g is a `torch.Generator` seeded
      with seed + epoch. Without drop_last, pad it to total = num_samples ·
      num_replicas indices by repeating it from the start (as many times as
      needed: n may be smaller than num_replicas); with drop_last, cut it to
      that total. Rank r takes every num_replicas-th index starting at r:
      order[r], order[r + num_replicas], …; yield them as Python ints.
    Why: every rank must run the same number of steps, or one of them waits
    forever in an all-reduce: hence the padding (a few samples count twice in
    an epoch) or the dropping. The shuffle is seeded, not random, so that every
    rank computes the *same* permutation without talking to the others, and
    each takes a disjoint part of it; seeding with seed + epoch gives a new
    order each epoch, but only if you call set_epoch.
    Example: 10 samples on 3 ranks, no shuffle: the order is padded to
    0..9, 0, 1; rank 0 gets [0, 3, 6, 9], rank 1 [1, 4, 7, 0], rank 2 [2, 5, 8, 1];
    with drop_last: [0, 3, 6], [1, 4, 7], [2, 5, 8].
    """

    def __init__(
        self,
        dataset: Sized,
        num_replicas: int,
        rank: int,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        # BEGIN SOLUTION check the rank; keep the options; epoch 0; num_samples: floor with drop_last, else ceil
        if not 0 <= rank < num_replicas:
            raise ValueError(f"rank {rank} is not in [0, {num_replicas - 1}]")
        self.size = len(dataset)
        self.num_replicas = num_replicas
        self.rank = rank
        self.shuffle = shuffle
        self.seed = seed
        self.drop_last = drop_last
        self.epoch = 0
        if drop_last:
            self.num_samples = self.size // num_replicas
        else:
            self.num_samples = math.ceil(self.size / num_replicas)
        # END SOLUTION

    def set_epoch(self, epoch: int) -> None:
        # BEGIN SOLUTION remember the epoch
        self.epoch = epoch
        # END SOLUTION

    def __len__(self) -> int:
        # BEGIN SOLUTION the number of indices of this rank
        return self.num_samples
        # END SOLUTION

    def __iter__(self) -> Iterator[int]:
        # BEGIN SOLUTION seeded permutation (seed + epoch) or arange; pad by repeating or cut to the total; every num_replicas-th from rank
        if self.shuffle:
            generator = torch.Generator()
            generator.manual_seed(self.seed + self.epoch)
            order = torch.randperm(self.size, generator=generator).tolist()
        else:
            order = list(range(self.size))
        total = self.num_samples * self.num_replicas
        if self.drop_last:
            order = order[:total]
        elif order:
            order = (order * math.ceil(total / len(order)))[:total]
        return iter(order[self.rank : total : self.num_replicas])
        # END SOLUTION


# --- training ---------------------------------------------------------------------------------


def train_data_parallel(
    rank: int,
    world_size: int,
    model: nn.Module,
    dataset: Dataset,
    criterion: Criterion,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    use_ddp: bool,
    seed: int = 0,
    checkpoint_path: str | None = None,
) -> list[float]:
    """Train `model` on this rank's shard of `dataset`; return this rank's loss at every step.

    What: runs on every rank (a worker for `launch`), in the process group.
    - Data: `DistributedSampler(dataset, num_replicas=world_size, rank=rank,
      shuffle=True, seed=seed)` and a `DataLoader(dataset, batch_size=batch_size,
      sampler=sampler)` (no shuffle argument: the sampler shuffles).
    - Model: with `use_ddp`, wrap it, `DistributedDataParallel(model)`, and
      train the wrapper; without, `broadcast_parameters(model)` first and
      `average_gradients(model)` after every backward.
    - `torch.optim.SGD(model.parameters(), lr=lr)`; for each epoch, first
      `sampler.set_epoch(epoch)`, then for each batch: zero_grad, loss =
      criterion(output, targets), backward, [average], step; keep `loss.item()`.
    - At the end, if `checkpoint_path` is given: rank 0 alone saves the plain
      model's `state_dict()` there (`torch.save`), then every rank waits at
      `dist.barrier()`.
    Return the list of this rank's losses, Python floats, one per step.
    Why: both ways give every rank the same parameters, equal to what one
    process would get with batches of world_size · batch_size samples (the
    union of the ranks' batches), because every rank has as many samples as the
    others and the averaged gradient of mean losses is the full batch's mean.
    Save the inner model's state_dict, not the wrapper's (its keys start with
    "module."), and only once: every rank writing the same file is wasted work
    at best, a corrupted file at worst. The barrier comes after the save, so
    that no rank goes on (to load the checkpoint, to exit) before it exists.
    Example: 11 samples on 2 ranks with batch_size 3 are 6 samples per rank
    (one padded), two steps per epoch; after training, both ranks return the
    same parameters, and only rank 0 has written the checkpoint.
    """
    # BEGIN SOLUTION sampler + loader; DDP wrap or broadcast; SGD; per epoch set_epoch; per batch zero/forward/backward/[average]/step; rank 0 saves; barrier
    sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed)
    loader = DataLoader(dataset, batch_size=batch_size, sampler=sampler)
    if use_ddp:
        trained: nn.Module = DistributedDataParallel(model)
    else:
        broadcast_parameters(model)
        trained = model
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        for inputs, targets in loader:
            optimizer.zero_grad()
            loss = criterion(trained(inputs), targets)
            loss.backward()
            if not use_ddp:
                average_gradients(model)
            optimizer.step()
            losses.append(loss.item())
    if checkpoint_path is not None:
        if rank == 0:
            torch.save(model.state_dict(), checkpoint_path)
        dist.barrier()
    return losses
    # END SOLUTION
