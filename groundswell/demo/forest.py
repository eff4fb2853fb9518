"""The shape of a synthetic movement: who recruited whom, and when each person joined.

Pure numpy, no database. A Galton–Watson forest with negative-binomial offspring
(mean 0.8, dispersion 0.2) reproduces what studies of online movements report:
about 72% of members recruit nobody, about 20% arrive on their own (roots), and a
few members bring in dozens (Lewis, Gray & Meierhenrich 2014; Goel, Watts &
Goldstein 2012). Delays between a recruiter joining and their recruits joining
are lognormal: most within days, a long tail over months (Iribarren & Moro 2011).

Everything is drawn level by level (one numpy call per generation, not one per
person), so a million people take well under a second.
"""

from dataclasses import dataclass

import numpy as np

SECONDS_PER_DAY = 86_400.0

OFFSPRING_MEAN = 0.8
# The negative binomial's shape k: small k means most recruit nobody and a few recruit many.
OFFSPRING_DISPERSION = 0.2
# Recruits join after their recruiter: median five days, heavy tail, never instantly
# (a link has to be shared, opened and the form filled in).
DELAY_MEDIAN_DAYS = 5.0
DELAY_SIGMA = 1.5
DELAY_MINIMUM_DAYS = 10 / (24 * 60)
# Roots arrive over this window, ending now.
HISTORY_DAYS = 730.0


@dataclass(frozen=True)
class Forest:
    """A recruitment forest of n people, indexed 0..n-1 in the order they joined.

    `parent[i]` is the index of i's recruiter, or -1 for a root. Recruiters always
    join before their recruits, so `parent[i] < i`.
    """

    parent: np.ndarray  # int64
    generation: np.ndarray  # int64, 0 for roots
    joined: np.ndarray  # float64, seconds before "now" (positive), decreasing with index

    @property
    def size(self) -> int:
        return len(self.parent)

    @property
    def roots(self) -> np.ndarray:
        return np.flatnonzero(self.parent < 0)

    @property
    def recruits(self) -> np.ndarray:
        return np.flatnonzero(self.parent >= 0)

    def direct_recruits(self) -> np.ndarray:
        """How many people each person recruited directly."""
        counts = np.zeros(self.size, dtype=np.int64)
        np.add.at(counts, self.parent[self.parent >= 0], 1)
        return counts

    def reach(self) -> np.ndarray:
        """Everyone each person brought in, directly or through their recruits."""
        subtree = np.ones(self.size, dtype=np.int64)
        # Deepest generation first, so each subtree is complete before it is added upward.
        for level in range(int(self.generation.max(initial=0)), 0, -1):
            members = np.flatnonzero(self.generation == level)
            np.add.at(subtree, self.parent[members], subtree[members])
        return subtree - 1


def grow_forest(
    rng: np.random.Generator,
    size: int,
    *,
    mean: float = OFFSPRING_MEAN,
    dispersion: float = OFFSPRING_DISPERSION,
    history_days: float = HISTORY_DAYS,
) -> Forest:
    """A forest of exactly `size` people with join times over the last `history_days`."""
    if size < 1:
        raise ValueError("a forest needs at least one person")
    parent, generation, tree = _grow_trees(rng, size, mean=mean, dispersion=dispersion)
    offset = _offsets_within_trees(rng, parent, generation)
    joined_after_start = _place_trees_in_time(rng, offset, tree, history_days * SECONDS_PER_DAY)
    # Index people by the moment they joined: ids then follow time, and every
    # recruiter's index is below their recruits'.
    order = np.argsort(joined_after_start, kind="stable")
    rank = np.empty(size, dtype=np.int64)
    rank[order] = np.arange(size)
    old_parent = parent[order]
    new_parent = np.where(old_parent >= 0, rank[np.maximum(old_parent, 0)], -1)
    seconds_ago = history_days * SECONDS_PER_DAY - joined_after_start[order]
    return Forest(parent=new_parent, generation=generation[order], joined=seconds_ago)


def _grow_trees(
    rng: np.random.Generator, size: int, *, mean: float, dispersion: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(parent, generation, tree) for the first `size` people of whole trees, in
    breadth-first order within each tree (so a parent always precedes its children).

    Trees are grown a batch of roots at a time, each generation in one draw, until
    there are enough people; the trees are then taken in order and the last one is
    cut short where the count is reached. Cutting one tree barely moves the
    statistics, and it keeps the count exact.
    """
    success = dispersion / (dispersion + mean)
    nodes: list[np.ndarray] = []
    parents: list[np.ndarray] = []
    generations: list[np.ndarray] = []
    trees: list[np.ndarray] = []
    total = 0
    next_id = 0
    while total < size:
        # A subcritical tree holds 1 / (1 - mean) people on average; aim a little over.
        batch = max(16, int((size - total) * (1 - mean) * 1.1) + 1)
        level = np.arange(next_id, next_id + batch, dtype=np.int64)
        level_parent = np.full(batch, -1, dtype=np.int64)
        level_tree = level.copy()
        next_id += batch
        depth = 0
        while len(level):
            nodes.append(level)
            parents.append(level_parent)
            generations.append(np.full(len(level), depth, dtype=np.int64))
            trees.append(level_tree)
            total += len(level)
            offspring = rng.negative_binomial(dispersion, success, size=len(level))
            born = int(offspring.sum())
            level_parent = np.repeat(level, offspring)
            level_tree = np.repeat(level_tree, offspring)
            level = np.arange(next_id, next_id + born, dtype=np.int64)
            next_id += born
            depth += 1
    node = np.concatenate(nodes)
    parent = np.concatenate(parents)
    tree = np.concatenate(trees)
    # Ids were handed out generation by generation across a whole batch; lay the
    # people out tree by tree instead (a stable sort keeps each tree breadth-first).
    keep = np.argsort(tree, kind="stable")[:size]
    position = np.full(next_id, -1, dtype=np.int64)
    position[node[keep]] = np.arange(size)
    kept_parent = parent[keep]
    new_parent = np.where(kept_parent >= 0, position[np.maximum(kept_parent, 0)], -1)
    _, tree_index = np.unique(tree[keep], return_inverse=True)
    return new_parent, np.concatenate(generations)[keep], tree_index.astype(np.int64)


def _offsets_within_trees(
    rng: np.random.Generator, parent: np.ndarray, generation: np.ndarray
) -> np.ndarray:
    """Seconds from each tree's root joining to each member joining."""
    delay = (
        DELAY_MINIMUM_DAYS
        + rng.lognormal(np.log(DELAY_MEDIAN_DAYS), DELAY_SIGMA, size=len(parent))
    ) * SECONDS_PER_DAY
    offset = np.zeros(len(parent))
    for level in range(1, int(generation.max(initial=0)) + 1):
        members = np.flatnonzero(generation == level)
        offset[members] = offset[parent[members]] + delay[members]
    return offset


def _place_trees_in_time(
    rng: np.random.Generator, offset: np.ndarray, tree: np.ndarray, window: float
) -> np.ndarray:
    """Seconds from the window's start to each person joining, with every tree
    inside the window: a root's time is drawn uniformly from the part of the window
    that leaves room for its whole tree to have joined by now.

    A tree whose delays add up to more than most of the window is squeezed to fit
    (its order of joining is kept). Big trees therefore tend to start early, as
    they do in life: a cascade needs time to grow.
    """
    trees = int(tree.max()) + 1
    span = np.zeros(trees)
    np.maximum.at(span, tree, offset)
    room = 0.9 * window
    squeeze = np.where(span > room, room / np.maximum(span, 1.0), 1.0)
    span = span * squeeze
    # Leave a minute before "now", so nothing is stamped in the future by rounding.
    start = rng.uniform(0.0, 1.0, size=trees) * (window - span - 60.0)
    return start[tree] + offset * squeeze[tree]
