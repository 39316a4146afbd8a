"""Run one function over many series, in worker processes when there are enough of them."""

from __future__ import annotations

import os


def run_parallel(func, jobs, n_jobs, progress):
    """Run ``func(*job)`` for every job, in ``n_jobs`` processes when it helps; call
    ``progress(done, total)`` as results arrive."""
    total = len(jobs)
    n_jobs = worker_count(n_jobs, total)
    results = []
    if n_jobs == 1:
        for i, job in enumerate(jobs):
            results.append(func(*job))
            if progress:
                progress(i + 1, total)
        return results
    from joblib import Parallel, delayed
    runner = Parallel(n_jobs=n_jobs, return_as="generator", batch_size=4)
    for i, res in enumerate(runner(delayed(func)(*job) for job in jobs)):
        results.append(res)
        if progress:
            progress(i + 1, total)
    return results


def worker_count(n_jobs, total) -> int:
    """Processes to use for ``total`` jobs: ``n_jobs`` (None = every core), and one when there
    are fewer than 8 jobs (starting workers costs more than it saves)."""
    if n_jobs is None:
        n_jobs = os.cpu_count() or 1
    return max(1, min(int(n_jobs), total if total >= 8 else 1))
