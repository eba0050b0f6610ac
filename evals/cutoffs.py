"""The cutoffs every fit tries, in one place (the scorer's threshold, the short answer's, the runner-up's).

A cutoff on a probability is chosen from :data:`GRID` (steps of 0.01); :data:`NEVER` is the
cutoff no probability reaches: "never show it". ``evals/train_scorer.py`` and
``evals/runner_up.py`` both read them here (the one imports the other, so neither can hold them).

    >>> GRID[0], GRID[-1], len(GRID), NEVER
    (0.02, 0.95, 94, 1.0)
"""

from __future__ import annotations

import numpy as np

GRID = tuple(float(t) for t in np.round(np.arange(0.02, 0.96, 0.01), 2))
NEVER = 1.0
