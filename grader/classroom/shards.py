"""Which share of a class one machine grades: `class --shard K/N`.

A batch engine (a Kubernetes Indexed Job, a Slurm array, a CI matrix) starts N
copies of the same command, each told its index K; each grades the learners of
shard K into its own results folder, and `grader merge` joins the folders.

A learner's shard is a function of the learner id and N alone, so the N copies
need not talk to each other nor see the same listing at the same moment, and a
learner who hands in late lands in a shard without moving anyone else. It is
Lamping and Veach's jump consistent hash (arXiv:1406.2294) of a hash of the id:
shards come out of equal size on average (a hash, not a count: 200 learners in 4
shards make shards of about 50, give or take 7), and growing N to N+1 moves only
the learners that land in the new shard (1/(N+1) of the class), so results
already graded stay where they are.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

SPEC = re.compile(r"\s*([0-9]+)\s*/\s*([0-9]+)\s*")


@dataclass(frozen=True)
class Shard:
    index: int  # K, from 1
    count: int  # N

    @classmethod
    def parse(cls, spec: str) -> Shard:
        """`K/N`, as a batch engine's index makes it (`--shard $((JOB_COMPLETION_INDEX + 1))/4`)."""
        found = SPEC.fullmatch(spec)
        if found is None or not 1 <= int(found[1]) <= int(found[2]):
            raise ValueError(
                f"{spec!r} is not K/N with K from 1 to N (2/4: the second of four shards; "
                "a batch engine's index that counts from 0 needs + 1)"
            )
        return cls(int(found[1]), int(found[2]))

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, learner: str) -> bool:
        return shard_of(learner, self.count) == self.index


def shard_of(learner: str, count: int) -> int:
    """The shard (1 to `count`) of a learner id."""
    key = int.from_bytes(hashlib.sha256(learner.encode("utf-8", "surrogateescape")).digest()[:8], "big")
    return _jump(key, count) + 1


def _jump(key: int, buckets: int) -> int:
    """Jump consistent hash: the bucket (0 to buckets - 1) of a 64-bit key, in O(log buckets)."""
    bucket, candidate = -1, 0
    while candidate < buckets:
        bucket = candidate
        key = (key * 2862933555777941757 + 1) % (1 << 64)
        candidate = int((bucket + 1) * ((1 << 31) / ((key >> 33) + 1)))
    return bucket
