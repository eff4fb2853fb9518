"""The shape of a synthetic movement: who recruited whom, and when each person joined.

Pure numpy, no database. A Galton-Watson forest with negative-binomial offspring
(mean 0.8, dispersion 0.2) reproduces what studies of online movements report:
about 72% of members recruit nobody, about 20% arrive on their own (roots), and a
few members bring in dozens (Lewis, Gray & Meierhenrich 2014; Goel, Watts &
Goldstein 2012). Delays between a recruiter joining and their recruits joining
are lognormal: most within days, a long tail over months (Iribarren & Moro 2011).
Roots arrive at a growing rate over the last two years, and whoever would join
after today is left out, as a live movement's newest members have not yet had
time to recruit; that leaves about 23% roots rather than 20% at 100,000 people.

Everything is drawn level by level (one numpy call per generation, not one per
person): a million people take about a second.
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
# Roots arrive over this window, ending now, at a rate that grows by a factor e
# each GROWTH_DAYS: a movement that is catching on.
HISTORY_DAYS = 730.0
GROWTH_DAYS = 365.0


@dataclass(frozen=True)
class Forest:
    """A recruitment forest of n people, indexed 0..n-1 in the order they joined.

    `parent[i]` is the index of i's recruiter, or -1 for a root. Recruiters always
    join before their recruits, so `parent[i] < i`.
    """

    parent: np.ndarray  # int64
    generation: np.ndarray  # int64, 0 for roots
    joined: np.ndarray  # float64, seconds before "now" (at least 60), not increasing with index

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
    growth_days: float = GROWTH_DAYS,
) -> Forest:
    """A forest of exactly `size` people who joined over the last `history_days`.

    Trees are grown a batch of roots at a time until enough people have joined by
    now; the trees are then taken in the order they were grown and the last one is
    cut short where the count is reached (cutting one tree barely moves the
    statistics, and keeps the count exact).
    """
    if size < 1:
        raise ValueError("a forest needs at least one person")
    window = history_days * SECONDS_PER_DAY
    # Everyone joined at least a minute ago, so acts drawn after joining (and clipped
    # to a second ago) still come after the join.
    cutoff = window - 60.0
    parents: list[np.ndarray] = []
    generations: list[np.ndarray] = []
    trees: list[np.ndarray] = []
    times: list[np.ndarray] = []
    grown = joined = 0
    while joined < size:
        # A subcritical tree holds 1 / (1 - mean) people on average; aim a little over.
        roots = max(16, int((size - joined) * (1 - mean) * 1.2) + 1)
        parent, generation = _grow_trees(rng, roots, mean=mean, dispersion=dispersion)
        tree = _root_of(parent, generation)
        start = _root_times(rng, roots, window=window, growth=growth_days * SECONDS_PER_DAY)
        at = start[tree] + _offsets_within_trees(rng, parent, generation)
        parents.append(np.where(parent >= 0, parent + grown, -1))
        generations.append(generation)
        trees.append(tree + grown)
        times.append(at)
        grown += len(parent)
        # Whoever would join after now has not joined yet. Their recruiters simply have
        # fewer recruits so far, as in any live movement (the shares barely move).
        joined += int((at <= cutoff).sum())
    parent, generation = np.concatenate(parents), np.concatenate(generations)
    tree, at = np.concatenate(trees), np.concatenate(times)
    # Tree by tree (a stable sort keeps each tree breadth-first, so the cut keeps every
    # kept person's recruiter); then by the moment each person joined.
    joined_now = np.flatnonzero(at <= cutoff)
    kept = joined_now[np.argsort(tree[joined_now], kind="stable")[:size]]
    kept = kept[np.argsort(at[kept], kind="stable")]
    index = np.full(grown, -1, dtype=np.int64)
    index[kept] = np.arange(size)
    kept_parent = parent[kept]
    new_parent = np.where(kept_parent >= 0, index[np.maximum(kept_parent, 0)], -1)
    if (new_parent >= np.arange(size)).any():
        raise AssertionError("a recruit was placed before their recruiter")
    return Forest(parent=new_parent, generation=generation[kept], joined=window - at[kept])


def _grow_trees(
    rng: np.random.Generator, roots: int, *, mean: float, dispersion: float
) -> tuple[np.ndarray, np.ndarray]:
    """(parent, generation) of a batch of trees, generation by generation: each person's
    position is their id, the roots are 0..roots-1, and parents precede their children."""
    success = dispersion / (dispersion + mean)
    parents = [np.full(roots, -1, dtype=np.int64)]
    generations = [np.zeros(roots, dtype=np.int64)]
    level = np.arange(roots, dtype=np.int64)
    next_id = roots
    while len(level):
        offspring = rng.negative_binomial(dispersion, success, size=len(level))
        born = int(offspring.sum())
        parents.append(np.repeat(level, offspring))
        generations.append(np.full(born, len(generations), dtype=np.int64))
        level = np.arange(next_id, next_id + born, dtype=np.int64)
        next_id += born
    return np.concatenate(parents), np.concatenate(generations)


def _root_of(parent: np.ndarray, generation: np.ndarray) -> np.ndarray:
    root = np.arange(len(parent), dtype=np.int64)
    for level in range(1, int(generation.max(initial=0)) + 1):
        members = np.flatnonzero(generation == level)
        root[members] = root[parent[members]]
    return root


def _root_times(rng: np.random.Generator, count: int, *, window: float, growth: float) -> np.ndarray:
    """Seconds from the window's start to each root joining. The movement grows: the
    rate of newcomers rises by a factor e every `growth` seconds (inverse-CDF draw)."""
    uniform = rng.random(count)
    return growth * np.log1p(uniform * np.expm1(window / growth))


def _offsets_within_trees(rng: np.random.Generator, parent: np.ndarray, generation: np.ndarray) -> np.ndarray:
    """Seconds from each tree's root joining to each member joining."""
    delay = (
        DELAY_MINIMUM_DAYS + rng.lognormal(np.log(DELAY_MEDIAN_DAYS), DELAY_SIGMA, size=len(parent))
    ) * SECONDS_PER_DAY
    offset = np.zeros(len(parent))
    for level in range(1, int(generation.max(initial=0)) + 1):
        members = np.flatnonzero(generation == level)
        offset[members] = offset[parent[members]] + delay[members]
    return offset
