"""Plain-Python float64 DTW, written independently of the package's kernels."""

import math


def local_cost(a, b, metric):
    if metric == "cosine":
        na = math.sqrt(sum(x * x for x in a))
        nb = math.sqrt(sum(x * x for x in b))
        cos = 0.0 if na == 0 or nb == 0 else sum(x * y for x, y in zip(a, b)) / (na * nb)
        return 1.0 - cos
    return sum((x - y) ** 2 for x, y in zip(a, b))


def reference_dtw(a, b, metric="cosine", aggregate="sum", allowed=None):
    """Return the score (-inf when no admissible path)."""
    n, m = len(a), len(b)
    inf = float("inf")
    acc = [[inf] * m for _ in range(n)]
    plen = [[0] * m for _ in range(n)]
    for i in range(n):
        for j in range(m):
            if allowed is not None and not allowed[i][j]:
                continue
            c = local_cost(a[i], b[j], metric)
            if i == 0 and j == 0:
                acc[i][j], plen[i][j] = c, 1
                continue
            options = []
            if i > 0 and j > 0:
                options.append((acc[i - 1][j - 1], plen[i - 1][j - 1]))
            if i > 0:
                options.append((acc[i - 1][j], plen[i - 1][j]))
            if j > 0:
                options.append((acc[i][j - 1], plen[i][j - 1]))
            # cheapest predecessor; ties go to the shortest path (the package's rule)
            best = min(options)
            acc[i][j], plen[i][j] = best[0] + c, best[1] + 1
    cost, length = acc[n - 1][m - 1], plen[n - 1][m - 1]
    if cost == inf:
        return -inf
    ks = 1.0 if metric == "cosine" else 0.0
    if aggregate == "sum":
        return ks * length - cost
    if aggregate == "mean":
        return (ks * length - cost) / length
    return -cost
