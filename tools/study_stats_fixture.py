#!/usr/bin/env python3
"""Expected numbers for samtune's study statistics (SignedRankTest, Holm, Bootstrap percentiles, ranks), from
scipy/numpy on fixed inputs. Writes src/test/resources/fixtures/study/statistics.json.

    python3 tools/study_stats_fixture.py

Which scipy call each case matches is in its "scipy" field (see SignedRankTest's javadoc for why).
"""
import json
import pathlib

import numpy as np
import scipy
import scipy.stats as st

rng = np.random.default_rng(20251203)
cases = []


def add(name, x, y, scipy_call, **kw):
    r = st.wilcoxon(x, y, **kw)
    cases.append({"name": name, "x": [float(v) for v in x], "y": [float(v) for v in y],
                  "statistic": float(r.statistic), "p": float(r.pvalue), "scipy": scipy_call})


# 1. small, no ties, no zeros: scipy's default is the exact test
x = np.round(rng.uniform(0.5, 0.9, 12), 6)
y = np.round(x + rng.normal(0.02, 0.05, 12), 6)
add("exact_n12", x, y, "wilcoxon(x, y)")

# 2. zero differences: samtune drops them first (zero_method='wilcox'), then tests the rest exactly
x = np.round(rng.uniform(0.5, 0.9, 10), 6)
y = np.round(x + rng.normal(0.03, 0.05, 10), 6)
y[[2, 7]] = x[[2, 7]]
nz = x != y
r = st.wilcoxon(x[nz], y[nz])
cases.append({"name": "zeros_n10", "x": x.tolist(), "y": y.tolist(), "statistic": float(r.statistic),
              "p": float(r.pvalue), "scipy": "wilcoxon(x[x != y], y[x != y])"})

# 3. larger sample: the normal approximation without continuity correction
x = np.round(rng.uniform(0.4, 0.9, 40), 6)
y = np.round(x + rng.normal(0.01, 0.06, 40), 6)
add("normal_n40", x, y, "wilcoxon(x, y, method='asymptotic')", method="asymptotic")

# 4. tied absolute differences: the normal approximation with scipy's tie correction (scipy's default too, n > 13)
x = np.round(rng.uniform(0.4, 0.9, 16), 2)
d = np.array([0.05, -0.05, 0.05, 0.1, -0.1, 0.02, 0.03, -0.03, 0.05, 0.07, 0.01, -0.01, 0.04, 0.06, 0.02, 0.08])
y = np.round(x + d, 2)
add("ties_n16", x, y, "wilcoxon(x, y)  # auto -> asymptotic with tie correction")

# Holm's step-down adjustment (statsmodels multipletests(method='holm') formula)
p = np.array([0.01, 0.04, 0.03, 0.20, 0.005])
order = np.argsort(p)
m = len(p)
adj = np.empty(m)
running = 0.0
for k, i in enumerate(order):
    running = max(running, min(1.0, (m - k) * p[i]))
    adj[i] = running

# percentiles as numpy's default (linear, R-7)
values = np.round(rng.normal(0.0, 0.05, 37), 6)
q = np.percentile(values, [2.5, 25, 50, 75, 97.5])

# ranks, highest score = 1, ties averaged
scores = np.array([0.71, 0.64, 0.71, 0.80, 0.50, 0.64])
ranks = st.rankdata(-scores, method="average")

out = {"generator": "tools/study_stats_fixture.py", "scipy": scipy.__version__, "numpy": np.__version__,
       "wilcoxon": cases, "holm": {"p": p.tolist(), "adjusted": adj.tolist()},
       "percentile": {"values": values.tolist(), "q": [2.5, 25, 50, 75, 97.5], "expected": q.tolist()},
       "ranks": {"scores": scores.tolist(), "expected": ranks.tolist()}}
path = pathlib.Path(__file__).resolve().parent.parent / "src/test/resources/fixtures/study/statistics.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print("wrote", path)
