"""Which servers this process serves when the bot runs as several shard processes.

Discord puts a server on shard `(guild_id >> 22) % shard_count` and sends everything about it (events,
interactions) to that shard's connection only. Direct messages belong to no server; Discord delivers
them on shard 0, so jobs started in a DM (guild None) belong to the process that runs shard 0.

A process follows, resumes and starts from the queue only the jobs of the servers it owns; the ledger
is shared, so whichever process owns a server finds all of that server's state in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


def shard_of(guild_id: int | None, count: int) -> int:
    """Discord's shard for a server; DMs (None) are on shard 0."""
    return 0 if guild_id is None else (guild_id >> 22) % count


@dataclass(frozen=True)
class ShardSet:
    """Shards `ids` of `count`; the default (one shard of one) owns every server."""

    count: int = 1
    ids: frozenset[int] = frozenset({0})

    @classmethod
    def parse(cls, text: str, count: int) -> ShardSet:
        """`0,1`, `0-3` or `0-1,5` (SHARD_IDS) of `count` (SHARD_COUNT); empty means all of them.

        Raises ValueError with a message fit for the one-line settings error."""
        if count < 1:
            raise ValueError(f"SHARD_COUNT must be at least 1, got {count}")
        if not text.strip():
            return cls(count, frozenset(range(count)))
        ids: set[int] = set()
        for part in text.split(","):
            some = _ids_of(part.strip())
            if some[-1] >= count:  # checked before the set grows: `0-99999999` is a typo, not a plan
                raise ValueError(f"SHARD_IDS: shard {some[-1]} is outside 0..{count - 1} (SHARD_COUNT={count})")
            ids.update(some)
        return cls(count, frozenset(ids))

    def owns(self, guild_id: int | None) -> bool:
        return shard_of(guild_id, self.count) in self.ids

    def mine(self, items: Iterable[T], guild_of: Callable[[T], int | None]) -> list[T]:
        """The items whose server this process owns."""
        return [item for item in items if self.owns(guild_of(item))]

    @property
    def tag(self) -> str:
        """A short name for files and logs, e.g. `0-1of4`."""
        return f"{'-'.join(str(i) for i in sorted(self.ids))}of{self.count}"


def _ids_of(part: str) -> range:
    low, dash, high = part.partition("-")
    if not low.strip().isdigit() or (dash and not high.strip().isdigit()):
        raise ValueError(f"SHARD_IDS: {part!r} is not a shard id or a range like 0-3")
    first, last = int(low), int(high) if dash else int(low)
    if last < first:
        raise ValueError(f"SHARD_IDS: the range {part!r} runs backwards")
    return range(first, last + 1)


EVERY_SERVER = ShardSet()
# The operator's commands (`mjbot imagine`, `action`): no server's jobs are theirs to follow or start.
NO_SERVER = ShardSet(1, frozenset())

__all__ = ["EVERY_SERVER", "NO_SERVER", "ShardSet", "shard_of"]
