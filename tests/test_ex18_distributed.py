"""Graded checks for ex18_distributed, one section per function.

The probes run the learner's code in real process groups: they call `launch`
with a worker of their own (a function of this file, inherited by the forked
ranks), which builds what it needs on each rank, calls the learner's per-rank
function, and returns what that rank observed. Each rank builds its own model
from its own seed, as real ranks do, so only a broadcast makes them equal.
PyTorch's own tools are run on the same ranks and data for comparison:
`DistributedDataParallel` (its gradients, its initial broadcast) and
`DistributedSampler` (its shards), and the training runs are replayed in this
process as one process on the union of the ranks' batches. Parameters after a
few SGD steps are summed in other orders by valid implementations: they are
compared with rtol=1e-5, atol=1e-6. What a launch leaves behind (processes,
temporary files) is counted after it returns.
"""

import copy
import os
import signal
import tempfile
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import Dataset, DistributedSampler

from grader import Raised, capture, check

RTOL, ATOL = 1e-5, 1e-6
LAUNCH_TIMEOUT = 30  # seconds of wall clock for a check that launches process groups


def _agrees(value, expected, rtol=1e-4, atol=1e-5):
    """Whether a value matches PyTorch's own (same dtype and shape, close values)."""
    if type(value) is not torch.Tensor or value.dtype != expected.dtype or value.shape != expected.shape:
        return False
    return bool(torch.allclose(value.detach(), expected.detach(), rtol=rtol, atol=atol))


def randint(low, high):
    """A Python int in [low, high), drawn with torch's (seeded) generator."""
    return int(torch.randint(low, high, ()))


# --- launching, and what a launch leaves behind ------------------------------------------------


def _children():
    """The processes whose parent is this one, running or finished but not yet waited for."""
    me, found = os.getpid(), set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    if int(stat.read().rsplit(b")", 1)[1].split()[1]) == me:
                        found.add(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _loopback_is_up():
    """Whether this machine's loopback interface is up: gloo connects the ranks over it.

    Always so on a machine, and in bubblewrap's network namespace; a bare `unshare --net`
    leaves it down, and then no process group can form, whatever the code.
    """
    import fcntl
    import socket
    import struct

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            request = struct.pack("16sH22x", b"lo", 0)
            flags = struct.unpack_from("16sH", fcntl.ioctl(sock, 0x8913, request))[1]  # SIOCGIFFLAGS
        return bool(flags & 1)  # IFF_UP
    except OSError:
        return False


LOOPBACK = "the loopback interface of the grading machine is up (gloo needs it)"


def _launch(ex, worker, world_size, *args, **kwargs):
    """capture(ex.launch, ...) in a private temporary folder: (result or Raised, processes left, files left)."""
    # DistributedDataParallel loads torch._dynamo on first use (over a second): once here, in the
    # process that forks the ranks (a submodule import loads the whole package), not once in every rank.
    import torch._dynamo.utils  # noqa: F401

    before = _children()
    saved = tempfile.tempdir
    with tempfile.TemporaryDirectory(prefix="ex18-probe-") as private:
        tempfile.tempdir = private
        try:
            result = capture(ex.launch, worker, world_size, *args, **kwargs)
        finally:
            tempfile.tempdir = saved
        left_files = sorted(os.listdir(private))
    if isinstance(result, Raised):  # the first error only: the ones it caused name ports, which vary
        result = Raised(result.type, result.message.split("; ")[0])
    return result, len(_children() - before), left_files


def _identify(rank, world_size, tag, launcher_pid):
    """A worker: what this rank knows about itself and its group, and one all_reduce."""
    total = torch.tensor([float(rank + 1)])
    dist.all_reduce(total)
    return {
        "rank": rank,
        "world_size": world_size,
        "dist.get_rank()": dist.get_rank(),
        "dist.get_world_size()": dist.get_world_size(),
        "backend": dist.get_backend(),
        "all_reduce of rank + 1": total,
        "argument": tag,
        "runs in a process of its own": os.getpid() != launcher_pid,
        "GLOO_SOCKET_IFNAME, the interface gloo uses": os.environ.get("GLOO_SOCKET_IFNAME"),
    }


@check(points=2, timeout=LAUNCH_TIMEOUT)
def launch_collects_every_rank(ex):
    """One process per rank, each in a gloo group of world_size; results in rank order; nothing left behind."""
    observed = {LOOPBACK: _loopback_is_up()}
    for world_size in (2, 1, 3):
        tag = f"hello {world_size}"
        kwargs = {"timeout": 20.0} if world_size == 3 else {}
        results, processes, files = _launch(ex, _identify, world_size, tag, os.getpid(), **kwargs)
        observed[f"world_size={world_size}: results"] = results
        observed[f"world_size={world_size}: processes left behind"] = processes
        observed[f"world_size={world_size}: temporary files left behind"] = files
    return observed


class _NotABuiltin(Exception):
    pass


def _fail_on_rank_1(rank, world_size, how):
    """A worker that goes wrong on rank 1, once both ranks have met. Rank 0 returns normally, or, with
    "while rank 0 waits", fails in an all_reduce once rank 1 is gone: after rank 1, and because of it."""
    dist.barrier()
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # failures on purpose: their tracebacks stay off the terminal
    if rank == 0 and how.endswith("while rank 0 waits"):
        dist.all_reduce(torch.zeros(1))
    if rank == 1:
        if how.startswith("raise ValueError"):
            raise ValueError("rank 1 gives up")
        if how == "raise an exception class of its own":
            raise _NotABuiltin("rank 1 gives up")
        if how == "exit":
            os._exit(3)
        if how == "hang":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)  # as a rank stuck in C code can: only SIGKILL ends it
            time.sleep(60)
    return rank


@check(points=2, timeout=LAUNCH_TIMEOUT)
def launch_reports_failures(ex):
    """A rank that raises, exits or hangs: launch raises (ValueError, RuntimeError, TimeoutError) and kills what is left.
    The error raised is the first one, not the one its loss caused on rank 0."""
    observed = {LOOPBACK: _loopback_is_up()}
    for how, kwargs in (
        ("raise ValueError", {}),
        ("raise ValueError while rank 0 waits", {}),
        ("raise an exception class of its own", {}),
        ("exit", {}),
        ("hang", {"timeout": 0.5}),
    ):
        result, processes, files = _launch(ex, _fail_on_rank_1, 2, how, **kwargs)
        observed[f"rank 1 {how}: launch"] = result
        observed[f"rank 1 {how}: processes left behind"] = processes
        observed[f"rank 1 {how}: temporary files left behind"] = files
    return observed


def _slow_rank_1(rank, world_size, seconds, marker):
    """A worker: rank 1 sleeps `seconds` (deaf to SIGTERM); rank 0 sleeps 0.3 s, then leaves a marker file."""
    if rank == 1:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(seconds)
    else:
        time.sleep(0.3)
        with open(marker, "w"):
            pass
    return rank


@check(points=1, timeout=LAUNCH_TIMEOUT)
def launch_timeout_is_a_total(ex):
    """The timeout counts from the start, for all ranks together: a rank still running then is killed, even one about to finish."""
    observed = {LOOPBACK: _loopback_is_up()}
    with tempfile.TemporaryDirectory(prefix="ex18-marker-") as folder:
        marker = os.path.join(folder, "rank 0 finished")
        # Rank 1 ends by itself after 4 s: a deadline that is not `start + timeout` would wait for it and return.
        result, processes, _ = _launch(ex, _slow_rank_1, 2, 4.0, marker, timeout=2.0)
        observed["rank 1 sleeps 4 s, timeout=2: launch"] = result
        observed["rank 1 sleeps 4 s, timeout=2: processes left behind"] = processes
        if os.path.exists(marker):
            os.remove(marker)
        # Rank 0 needs 0.3 s, the whole launch has 0.05: no rank may be waited for past the deadline.
        result, processes, _ = _launch(ex, _slow_rank_1, 2, 60.0, marker, timeout=0.05)
        observed["timeout=0.05: launch"] = result
        observed["timeout=0.05: rank 0 (0.3 s of work) killed before it finished"] = not os.path.exists(marker)
        observed["timeout=0.05: processes left behind"] = processes
    return observed


# --- average_gradients ----------------------------------------------------------------------


def _fixed(model):
    """Deterministic weights that do not depend on any RNG."""
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(0.6 * torch.sin(0.37 * torch.arange(p.numel(), dtype=torch.float32) + i).reshape(p.shape))
    return model


def _net(d=4, hidden=6, classes=3):
    """Linear → Tanh → Linear, the first bias frozen (no gradient: DDP leaves it out, so must you)."""
    model = nn.Sequential(nn.Linear(d, hidden), nn.Tanh(), nn.Linear(hidden, classes))
    model[0].bias.requires_grad_(False)
    return model


def _gradients(model):
    return {name: None if p.grad is None else p.grad.clone() for name, p in model.named_parameters()}


def _gradients_rank(rank, world_size, ex, model, x, y):
    """A worker: this rank's loss on its samples x[rank::world_size], averaged by the learner, and by DDP."""
    part = slice(rank, None, world_size)
    twin = copy.deepcopy(model)
    start = {name: p.detach().clone() for name, p in model.named_parameters()}
    F.cross_entropy(model(x[part]), y[part]).backward()
    ex.average_gradients(model)
    ddp = DistributedDataParallel(twin)
    F.cross_entropy(ddp(x[part]), y[part]).backward()
    return {
        "gradients": _gradients(model),
        "DDP's gradients": _gradients(twin),
        "parameters unchanged": all(torch.equal(p.detach(), start[name]) for name, p in model.named_parameters()),
    }


def _gradient_observations(ex, model, x, y, world_size):
    """Launch `_gradients_rank`; the learner's gradients on every rank, and how they compare."""
    results, processes, _ = _launch(ex, _gradients_rank, world_size, ex, model, x, y)
    if not isinstance(results, list):
        return {"launch": results}
    whole = copy.deepcopy(model)
    F.cross_entropy(whole(x), y).backward()
    full_batch = _gradients(whole)
    agrees_ddp = agrees_full = True
    observed = {}
    for rank, result in enumerate(results):
        for name, grad in result["gradients"].items():
            expected, ddp = full_batch[name], result["DDP's gradients"][name]
            if grad is None or expected is None:
                agrees_ddp = agrees_ddp and grad is None and ddp is None
                agrees_full = agrees_full and grad is None and expected is None
            else:
                agrees_ddp = agrees_ddp and ddp is not None and _agrees(grad, ddp)
                agrees_full = agrees_full and _agrees(grad, expected)
    observed[f"world_size={world_size}: agrees with DistributedDataParallel"] = agrees_ddp
    observed[f"world_size={world_size}: equals the gradient of one process on the whole batch"] = agrees_full
    for rank, result in enumerate(results):
        observed[f"world_size={world_size}: rank {rank} gradients"] = result["gradients"]
        observed[f"world_size={world_size}: rank {rank} parameters unchanged"] = result["parameters unchanged"]
    observed[f"world_size={world_size}: processes left behind"] = processes
    return observed


def _fixed_data(n, d=4, classes=3):
    x = torch.sin(0.7 * torch.arange(n * d, dtype=torch.float32)).reshape(n, d)
    x = x + 0.5 * torch.cos(0.3 * torch.arange(n, dtype=torch.float32))[:, None]
    return x, (torch.arange(n) * 7) % classes


@check(points=3, rtol=RTOL, atol=ATOL, timeout=LAUNCH_TIMEOUT)
def average_gradients_matches_ddp(ex):
    """On 2 and on 3 ranks: the mean of the ranks' gradients, as DDP computes it; a frozen parameter keeps no gradient."""
    x, y = _fixed_data(12)
    observed = {LOOPBACK: _loopback_is_up()}
    for world_size in (2, 3):
        observed.update(_gradient_observations(ex, _fixed(_net()), x, y, world_size))
    return observed


@check(points=2, hidden=True, rtol=RTOL, atol=ATOL, timeout=LAUNCH_TIMEOUT)
def average_gradients_random(ex):
    """Random sizes, weights, data and world size (2 or 3)."""
    world_size, per_rank = randint(2, 4), randint(1, 5)
    d, hidden, classes = randint(2, 7), randint(3, 9), randint(2, 6)
    model = _net(d, hidden, classes)
    x, y = torch.randn(world_size * per_rank, d), torch.randint(0, classes, (world_size * per_rank,))
    return {LOOPBACK: _loopback_is_up(), **_gradient_observations(ex, model, x, y, world_size)}


# --- broadcast_parameters ------------------------------------------------------------------


def _state(model):
    return {name: t.detach().clone() for name, t in model.state_dict().items()}


def _broadcast_rank(rank, world_size, ex, src):
    """A worker: a model initialised from this rank's own seed (BatchNorm statistics too), then broadcast from src."""
    torch.manual_seed(100 + rank)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    with torch.no_grad():
        model[1].weight.uniform_(0.5, 1.5)
        model[1].running_mean.normal_()
        model[1].running_var.uniform_(0.5, 2.0)
        model[1].num_batches_tracked.fill_(3 + rank)
    before = _state(model)
    tensors = [*model.parameters(), *model.buffers()]
    twin = copy.deepcopy(model)
    ex.broadcast_parameters(model, src)
    observed = {
        "state before": before,
        "state after": _state(model),
        "same tensor objects": all(a is b for a, b in zip(tensors, [*model.parameters(), *model.buffers()], strict=True)),
        "parameters still require grad": all(p.requires_grad and p.is_leaf for p in model.parameters()),
    }
    if src == 0:  # DDP broadcasts from rank 0 when it is constructed
        observed["DDP's state"] = _state(DistributedDataParallel(twin).module)
    return observed


@check(points=2, timeout=LAUNCH_TIMEOUT)
def broadcast_parameters_matches_ddp(ex):
    """Every rank ends with rank src's parameters and buffers, in the same tensors; from rank 0 as DDP does, and from rank 1 of 3."""
    observed = {LOOPBACK: _loopback_is_up()}
    for world_size, src in ((2, 0), (3, 1)):
        label = f"world_size={world_size}, src={src}"
        results, processes, _ = _launch(ex, _broadcast_rank, world_size, ex, src)
        if not isinstance(results, list):
            observed[f"{label}: launch"] = results
            continue
        source = results[src]["state before"]
        observed[f"{label}: every rank holds the initial state of rank {src}"] = all(
            all(torch.equal(result["state after"][name], value) for name, value in source.items()) for result in results
        )
        if src == 0:
            observed[f"{label}: agrees with DistributedDataParallel"] = all(
                all(torch.equal(result["state after"][name], value) for name, value in result["DDP's state"].items())
                for result in results
            )
        for rank, result in enumerate(results):
            observed[f"{label}: rank {rank} state"] = result["state after"]
            observed[f"{label}: rank {rank} keeps its tensors"] = result["same tensor objects"]
            observed[f"{label}: rank {rank} parameters still require grad"] = result["parameters still require grad"]
        observed[f"{label}: processes left behind"] = processes
    return observed


# --- ShardedSampler --------------------------------------------------------------------------


def _shards(make, n, world_size, **options):
    """Every rank's indices, as a tensor each; the sizes; whether they are Python ints."""
    samplers = [make(range(n), world_size, rank, **options) for rank in range(world_size)]
    lists = [list(sampler) for sampler in samplers]
    return {
        "sizes": torch.tensor([len(sampler) for sampler in samplers], dtype=torch.long),
        "shards": [torch.tensor(indices, dtype=torch.long) for indices in lists],
        "Python ints": all(type(i) is int for indices in lists for i in indices),
    }


def _reference_shards(n, world_size, **options):
    return _shards(lambda data, replicas, rank, **o: DistributedSampler(data, replicas, rank, **o), n, world_size, **options)


def _sampler_observations(ex, label, n, world_size, **options):
    mine, torch_own = _shards(ex.ShardedSampler, n, world_size, **options), _reference_shards(n, world_size, **options)
    union = torch.cat(mine["shards"]).unique() if mine["shards"] else torch.zeros(0, dtype=torch.long)
    kept = n if not options.get("drop_last") else n // world_size * world_size
    return {
        f"{label}: how many different samples the ranks see": len(union),
        f"{label}: shard sizes": mine["sizes"],
        f"{label}: shards": mine["shards"],
        f"{label}: yields Python ints": mine["Python ints"],
        f"{label}: agrees with DistributedSampler": torch.equal(mine["sizes"], torch_own["sizes"])
        and len(mine["shards"]) == len(torch_own["shards"])
        and all(torch.equal(a, b) for a, b in zip(mine["shards"], torch_own["shards"]))
        and len(union) == kept,
    }


@check(points=2)
def sampler_matches_distributed_sampler(ex):
    """Interleaved shards of equal size: padded by repeating the first indices (even when n < ranks), or cut with drop_last."""
    observed = {}
    for n, world_size in ((10, 3), (12, 3), (2, 5), (7, 1), (0, 2)):
        for drop_last in (False, True):
            label = f"{n} samples on {world_size} ranks, drop_last={drop_last}"
            observed.update(_sampler_observations(ex, label, n, world_size, shuffle=False, drop_last=drop_last))
    # Padding repeats the order ⌈total / n⌉ times: a few copies, never n·total of them (that list would not fit in memory).
    big = [capture(lambda rank: list(ex.ShardedSampler(range(100_000), 3, rank, shuffle=False)), rank) for rank in range(3)]
    observed["100 000 samples on 3 ranks: each rank's size, first and last two indices"] = [
        [len(shard), shard[:2], shard[-2:]] if isinstance(shard, list) else shard for shard in big
    ]
    observed["rank 2 of 2"] = capture(ex.ShardedSampler, range(5), 2, 2)
    observed["rank -1"] = capture(ex.ShardedSampler, range(5), 2, -1)
    observed["rank 1 of 2: size"] = len(ex.ShardedSampler(range(5), 2, 1, shuffle=False))
    return observed


@check(points=2)
def sampler_shuffles_per_epoch(ex):
    """The same seeded permutation on every rank, a new one after set_epoch, the old one back with set_epoch(0)."""
    observed = {}
    samplers = [ex.ShardedSampler(range(11), 2, rank, seed=7) for rank in range(2)]
    references = [DistributedSampler(range(11), 2, rank, seed=7) for rank in range(2)]
    agrees = True
    for label, epoch in (("epoch 0 (set_epoch never called)", None), ("epoch 0, again", None), ("epoch 1", 1),
                         ("epoch 4", 4), ("back to epoch 0", 0)):
        for sampler, reference in zip(samplers, references):
            if epoch is not None:
                sampler.set_epoch(epoch)
                reference.set_epoch(epoch)
        shards = [torch.tensor(list(s), dtype=torch.long) for s in samplers]
        expected = [torch.tensor(list(r), dtype=torch.long) for r in references]
        observed[f"{label}: shards"] = shards
        observed[f"{label}: the two ranks share no index"] = len(set(shards[0].tolist()) & set(shards[1].tolist())) == 0
        agrees = agrees and all(torch.equal(a, b) for a, b in zip(shards, expected))
    observed["epoch 1 differs from epoch 0"] = not torch.equal(observed["epoch 1: shards"][0], observed["epoch 0, again: shards"][0])
    observed["agrees with DistributedSampler"] = agrees
    observed.update(_sampler_observations(ex, "seed 8, shuffle by default", 11, 2, seed=8))
    observed.update(_sampler_observations(ex, "seed 0 by default", 9, 4, shuffle=True))
    return observed


@check(points=2, hidden=True)
def sampler_random(ex):
    """Random sizes (never a multiple of the number of ranks), seed and epoch; every option."""
    world_size = randint(2, 6)
    n = world_size * randint(0, 5) + randint(1, world_size)
    seed, epoch = randint(0, 10_000), randint(1, 6)
    observed = {}
    for shuffle in (True, False):
        for drop_last in (False, True):
            label = f"shuffle={shuffle}, drop_last={drop_last}"
            samplers = [ex.ShardedSampler(range(n), world_size, r, shuffle=shuffle, seed=seed, drop_last=drop_last)
                        for r in range(world_size)]
            references = [DistributedSampler(range(n), world_size, r, shuffle=shuffle, seed=seed, drop_last=drop_last)
                          for r in range(world_size)]
            for sampler, reference in zip(samplers, references):
                sampler.set_epoch(epoch)
                reference.set_epoch(epoch)
            shards = [torch.tensor(list(s), dtype=torch.long) for s in samplers]
            observed[f"{label}: how many different samples the ranks see"] = len(set(torch.cat(shards).tolist()))
            observed[f"{label}: shard sizes"] = torch.tensor([len(s) for s in samplers], dtype=torch.long)
            observed[f"{label}: shards"] = shards
            observed[f"{label}: agrees with DistributedSampler"] = all(
                torch.equal(a, torch.tensor(list(b), dtype=torch.long)) for a, b in zip(shards, references)
            )
    return observed


# --- train_data_parallel ----------------------------------------------------------------------


class _Recorded(Dataset):
    """(x[i], y[i]) pairs that note which indices were read, in order."""

    def __init__(self, x, y):
        self.x, self.y, self.seen = x, y, []

    def __len__(self):
        return len(self.x)

    def __getitem__(self, index):
        self.seen.append(int(index))
        return self.x[index], self.y[index]


def _classifier(d, classes, rank_seed):
    """The model a rank builds: its weights come from its own seed."""
    with torch.random.fork_rng():
        torch.manual_seed(rank_seed)
        return nn.Sequential(nn.Linear(d, 8), nn.Tanh(), nn.Linear(8, classes))


def _wait_for(marker, seconds):
    """A state_dict hook for rank 0: the save waits until rank 1 has returned (or `seconds` passed).
    With a barrier after the save, rank 1 cannot return before it: it waits the whole time."""

    def hook(module, prefix, keep_vars):
        deadline = time.monotonic() + seconds
        while not os.path.exists(marker) and time.monotonic() < deadline:
            time.sleep(0.01)

    return hook


def _train_rank(rank, world_size, ex, x, y, classes, options, folder, wait):
    """A worker: build this rank's model, train it with the learner's function, report what this rank saw."""
    model = _classifier(x.shape[1], classes, 1000 + rank)
    dataset = _Recorded(x, y)
    path = None if folder is None else os.path.join(folder, f"rank{rank}", "checkpoint.pt")
    if wait and rank == 0:
        model.register_state_dict_pre_hook(_wait_for(os.path.join(folder, "rank 1 returned"), 1.0))
    losses = ex.train_data_parallel(rank, world_size, model, dataset, nn.CrossEntropyLoss(), checkpoint_path=path, **options)
    found = folder is not None and os.path.exists(os.path.join(folder, "rank0", "checkpoint.pt"))
    if wait and rank == 1:
        open(os.path.join(folder, "rank 1 returned"), "w").close()
    return {
        "losses": losses,
        "parameters": {name: p.detach().clone() for name, p in model.named_parameters()},
        "samples": dataset.seen,
        "rank 0's checkpoint exists when train returns": found,
    }


def _one_process(x, y, classes, world_size, *, epochs, batch_size, lr, seed, use_ddp=None):
    """The same training in this process: each step on the union of the ranks' batches, from rank 0's weights."""
    model = _classifier(x.shape[1], classes, 1000)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for epoch in range(epochs):
        shards = []
        for rank in range(world_size):
            sampler = DistributedSampler(range(len(x)), world_size, rank, shuffle=True, seed=seed)
            sampler.set_epoch(epoch)
            shards.append(list(sampler))
        for start in range(0, len(shards[0]), batch_size):
            batch = [i for shard in shards for i in shard[start : start + batch_size]]
            optimizer.zero_grad()
            F.cross_entropy(model(x[batch]), y[batch]).backward()
            optimizer.step()
    return model


def _training(ex, x, y, classes, options, *, checkpoint, wait=False, label=""):
    """Launch `_train_rank` on 2 ranks; what each rank saw, and how it compares with one process."""
    world_size = 2
    with tempfile.TemporaryDirectory(prefix="ex18-checkpoints-") as folder:
        for rank in range(world_size):
            os.mkdir(os.path.join(folder, f"rank{rank}"))
        results, processes, _ = _launch(ex, _train_rank, world_size, ex, x, y, classes, options,
                                        folder if checkpoint else None, wait)
        if not isinstance(results, list):
            return {LOOPBACK: _loopback_is_up(), f"{label}launch": results}
        written = [os.path.exists(os.path.join(folder, f"rank{rank}", "checkpoint.pt")) for rank in range(world_size)]
        saved = torch.load(os.path.join(folder, "rank0", "checkpoint.pt"), weights_only=True) if written[0] else None
    observed = {LOOPBACK: _loopback_is_up()}
    if checkpoint:
        observed[f"{label}rank 0 wrote the checkpoint"] = written[0]
        observed[f"{label}rank 1 wrote no checkpoint"] = not written[1]
        if wait:
            observed[f"{label}rank 1 finds the checkpoint when train returns (barrier after the save)"] = results[1][
                "rank 0's checkpoint exists when train returns"
            ]
        keys = ", ".join(sorted(saved)) if isinstance(saved, dict) else saved
        observed[f"{label}checkpoint keys (those of the plain model)"] = keys
    per_rank = len(DistributedSampler(range(len(x)), world_size, 0))
    for rank, result in enumerate(results):
        samples = result["samples"]
        for epoch in range(options["epochs"]):
            epoch_samples = samples[epoch * per_rank : (epoch + 1) * per_rank]
            observed[f"{label}rank {rank}: samples of epoch {epoch}"] = torch.tensor(epoch_samples, dtype=torch.long)
    one = dict(_one_process(x, y, classes, world_size, **options).named_parameters())
    observed[f"{label}every rank ends with the parameters of one process on the full batches"] = all(
        _agrees(result["parameters"][name], p.detach()) for result in results for name, p in one.items()
    )
    for rank, result in enumerate(results):
        observed[f"{label}rank {rank}: parameters"] = result["parameters"]
    for rank, result in enumerate(results):
        observed[f"{label}rank {rank}: losses"] = result["losses"]
    observed[f"{label}losses are Python floats"] = all(
        type(loss) is float for result in results for loss in result["losses"]
    )
    if checkpoint:
        observed[f"{label}checkpoint"] = dict(saved) if isinstance(saved, dict) else saved
    observed[f"{label}processes left behind"] = processes
    return observed


@check(points=4, rtol=RTOL, atol=ATOL, timeout=LAUNCH_TIMEOUT)
def train_by_hand_matches_one_process(ex):
    """Broadcast + averaged gradients on 2 ranks, 11 samples (one padded), 2 epochs reshuffled by set_epoch:
    the parameters of one process on the full batches; rank 0 alone writes the checkpoint, before the barrier."""
    x, y = _fixed_data(11, d=4, classes=3)
    options = {"epochs": 2, "batch_size": 3, "lr": 0.5, "use_ddp": False, "seed": 3}
    return _training(ex, x, y, 3, options, checkpoint=True, wait=True)


@check(points=3, rtol=RTOL, atol=ATOL, timeout=LAUNCH_TIMEOUT)
def train_with_ddp_matches_one_process(ex):
    """The same with DistributedDataParallel: the checkpoint holds the plain model's keys; another seed, another order."""
    x, y = _fixed_data(13, d=3, classes=4)
    options = {"epochs": 3, "batch_size": 4, "lr": 0.3, "use_ddp": True, "seed": 5}
    observed = _training(ex, x, y, 4, options, checkpoint=True)
    observed.update(_training(ex, x, y, 4, {**options, "seed": 6}, checkpoint=False, label="seed 6, no checkpoint: "))
    return observed


@check(points=3, hidden=True, rtol=RTOL, atol=ATOL, timeout=LAUNCH_TIMEOUT)
def train_random(ex):
    """Random data (an odd number of samples), batch size, epochs, learning rate and seed, by hand and with DDP."""
    n, d, classes = 2 * randint(3, 8) + 1, randint(2, 6), randint(2, 5)
    x, y = torch.randn(n, d), torch.randint(0, classes, (n,))
    options = {"epochs": randint(2, 4), "batch_size": randint(2, 5), "lr": 0.05 + 0.5 * float(torch.rand(())),
               "seed": randint(0, 10_000)}
    observed = {}
    for use_ddp in (False, True):
        observed.update(_training(ex, x, y, classes, {**options, "use_ddp": use_ddp}, checkpoint=True,
                                  label=f"use_ddp={use_ddp}: "))
    return observed
