"""Reference values for loam's agreement figures.

Reads cases as JSON (a file named by the first argument, or stdin) and prints, for each case, the
figures the reference implementations give, as JSON on stdout. A figure the reference leaves
undefined (NaN, a refusal such as a ValueError or statsmodels' assertion) is null.

A case: {"type": "label_selection" | "rating" | "multi_label_selection" | "ranking" | "span" |
"text", "options": K, "values": [the rating's option values, ascending], "coders": ["c0", ...],
"answers": [[one answer or null per coder] per record], "lengths": [a span field's length per
record]}. Answers: an option index (label), a value (rating), a list of option indices
(multi-label), a rank per option (ranking), a list of [start, end, label index] (span), a string
(text).

Reference per figure:
- krippendorff_alpha nominal / ordinal / interval: the `krippendorff` package, value_domain = the
  options (for ratings, the option values in order);
- krippendorff_alpha jaccard / masi / rank: the same package with a callable distance over the
  distinct answers, the distances written here from their textbook definitions (Jaccard; MASI as
  nltk's masi_distance; the Spearman footrule over scipy's average ranks, divided by floor(K²/2));
- krippendorff_alpha span_characters: the package's nominal alpha over units = (record,
  character), a character's value being the set of labels of the spans covering it;
- cohen_kappa none / linear / quadratic: scikit-learn's cohen_kappa_score with labels = options;
- fleiss_kappa: statsmodels' fleiss_kappa(table, method="fleiss") over records with answers;
- exact_match and span_f1: brute force over every pair of answers of each record.
"""

import json
import math
import sys
import warnings

import krippendorff
import numpy as np
from scipy.stats import rankdata
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa

warnings.filterwarnings("ignore")


def finite(value):
    value = float(value)
    return value if math.isfinite(value) else None


def guarded(compute):
    try:
        return finite(compute())
    except (ValueError, AssertionError, ZeroDivisionError, FloatingPointError):
        return None


def alpha(matrix, domain, level):
    """matrix: coders x units, None for missing."""
    data = np.array([[np.nan if v is None else v for v in row] for row in matrix], dtype=float)
    return guarded(
        lambda: krippendorff.alpha(
            reliability_data=data, value_domain=np.array(domain, dtype=float), level_of_measurement=level
        )
    )


def alpha_with(matrix, distance):
    """Alpha over arbitrary hashable answers with a callable distance on their ids."""
    distinct = []
    for row in matrix:
        for v in row:
            if v is not None and v not in distinct:
                distinct.append(v)
    index = {v: i for i, v in enumerate(distinct)}
    table = np.array([[distance(a, b) for b in distinct] for a in distinct], dtype=float)

    def metric(v1, v2, i1, i2, n_v, dtype=np.float64):
        return table[np.asarray(i1), np.asarray(i2)].astype(dtype)

    ids = [[None if v is None else index[v] for v in row] for row in matrix]
    return alpha(ids, list(range(len(distinct))), metric)


def jaccard(a, b):
    a, b = set(a), set(b)
    union = len(a | b)
    return 0.0 if union == 0 else 1.0 - len(a & b) / union


def masi(a, b):
    a, b = set(a), set(b)
    common, union = len(a & b), len(a | b)
    if union == 0:
        return 0.0
    if len(a) == len(b) == common:
        m = 1.0
    elif common == min(len(a), len(b)):
        m = 0.67
    elif common > 0:
        m = 0.33
    else:
        m = 0.0
    return 1.0 - common / union * m


def footrule(k):
    top = (k * k) // 2

    def distance(a, b):
        if top == 0:
            return 0.0
        ra, rb = rankdata(a, method="average"), rankdata(b, method="average")
        return min(1.0, float(np.abs(ra - rb).sum()) / top)

    return distance


def cohen(case, labels, weights_list):
    coders, answers = case["coders"], case["answers"]
    out = {}
    for i in range(len(coders)):
        for j in range(i + 1, len(coders)):
            both = [(r[i], r[j]) for r in answers if r[i] is not None and r[j] is not None]
            if not both:
                continue
            y1, y2 = [a for a, _ in both], [b for _, b in both]
            out[f"{coders[i]}|{coders[j]}"] = {
                w or "none": guarded(lambda w=w: cohen_kappa_score(y1, y2, labels=labels, weights=w))
                for w in weights_list
            }
    return out


def fleiss(case, categories):
    rows = []
    for record in case["answers"]:
        given = [v for v in record if v is not None]
        if given:
            rows.append([given.count(c) for c in categories])
    if not rows:
        return None
    return guarded(lambda: fleiss_kappa(np.array(rows), method="fleiss"))


def pairwise_mean(case, score):
    total, pairs = 0.0, 0
    for record in case["answers"]:
        given = [v for v in record if v is not None]
        for i in range(len(given)):
            for j in range(i + 1, len(given)):
                value = score(given[i], given[j])
                if value is not None:
                    total += value
                    pairs += 1
    return None if pairs == 0 else total / pairs


def f1(a, b):
    a, b = {tuple(s) for s in a}, {tuple(s) for s in b}
    if not a and not b:
        return None
    return 2 * len(a & b) / (len(a) + len(b))


def span_characters(case):
    matrix = [[] for _ in case["coders"]]
    for record, length in zip(case["answers"], case["lengths"]):
        for char in range(length):
            for c, spans in enumerate(record):
                if spans is None:
                    matrix[c].append(None)
                else:
                    matrix[c].append(frozenset(label for start, end, label in spans if start <= char < end))
    return alpha_with(matrix, lambda a, b: 0.0 if a == b else 1.0)


def reference(case):
    kind, k = case["type"], case["options"]
    answers = case["answers"]
    matrix = [list(column) for column in zip(*answers)] if answers else [[] for _ in case["coders"]]
    metrics, pairs = {}, {}
    if kind == "label_selection":
        metrics["krippendorff_alpha/nominal"] = alpha(matrix, list(range(k)), "nominal")
        metrics["fleiss_kappa"] = fleiss(case, list(range(k)))
        pairs = cohen(case, list(range(k)), [None])
    elif kind == "rating":
        values = case["values"]
        metrics["krippendorff_alpha/ordinal"] = alpha(matrix, values, "ordinal")
        metrics["krippendorff_alpha/interval"] = alpha(matrix, values, "interval")
        metrics["fleiss_kappa"] = fleiss(case, values)
        pairs = cohen(case, values, [None, "linear", "quadratic"])
    elif kind == "multi_label_selection":
        sets = [[None if v is None else frozenset(v) for v in row] for row in matrix]
        metrics["krippendorff_alpha/jaccard"] = alpha_with(sets, jaccard)
        metrics["krippendorff_alpha/masi"] = alpha_with(sets, masi)
    elif kind == "ranking":
        ranks = [[None if v is None else tuple(v) for v in row] for row in matrix]
        metrics["krippendorff_alpha/rank"] = alpha_with(ranks, footrule(k))
    elif kind == "span":
        metrics["krippendorff_alpha/span_characters"] = span_characters(case)
        metrics["span_f1"] = pairwise_mean(case, f1)
    elif kind == "text":
        metrics["exact_match"] = pairwise_mean(case, lambda a, b: float(a.strip() == b.strip()))
    else:
        raise SystemExit(f"unknown case type {kind!r}")
    return {"metrics": metrics, "pairs": pairs}


def main():
    source = open(sys.argv[1], encoding="utf-8") if len(sys.argv) > 1 else sys.stdin
    cases = json.load(source)
    json.dump([reference(case) for case in cases], sys.stdout)


if __name__ == "__main__":
    main()
