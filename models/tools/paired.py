"""Two models' results on the same held-out clips, compared clip by clip.

Takes two reports of the same kind, a model's (A) and its successor's (B), and prints, for each
measure, B's mean, A's and the mean of B - A over the items both measured, with its standard error:

- fomm.expression reports: per same-identity clip and per cross-identity (clip, photo) pair, each
  measure's correlation and amplitude, and the results' sharpness (B / A per item);
- fomm.evaluate reports: per clip, L1, AKD, MKR and AED.

Pairing removes what the clips themselves vary by, so a change smaller than the spread between clips
still shows (the ± is the standard error of the paired differences).

    cd models && /usr/bin/python3 tools/paired.py ../docs/face-128-v13-expression-metrics.json \\
        ../docs/face-128-v14-expression-metrics.json
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fomm.expression import MEASURES as EXPRESSION_MEASURES  # noqa: E402

RECONSTRUCTION_MEASURES = ("l1", "akd", "mkr", "aed")


def item_key(row):
    return (row["clip"], row.get("photo"))


def paired(before, after):
    """{key: (mean after, mean before, mean difference, standard error, count)} of paired values.

    before, after: {item: {measure: value or None}}; an item counts for a measure where both have it.
    """
    out = {}
    measures = sorted({m for values in after.values() for m in values})
    for measure in measures:
        pairs = [(after[k][measure], before[k][measure]) for k in after
                 if k in before and after[k].get(measure) is not None and before[k].get(measure) is not None]
        if not pairs:
            continue
        b, a = np.array(pairs, dtype=np.float64).T
        diff = b - a
        error = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else float("nan")
        out[measure] = (float(b.mean()), float(a.mean()), float(diff.mean()), error, len(diff))
    return out


def expression_values(rows):
    """{item: {"mouth corr": .., "mouth amplitude": .., ..., "sharpness": result sharpness}}."""
    values = {}
    for row in rows:
        found = {}
        for measure in EXPRESSION_MEASURES:
            for part in ("corr", "amplitude"):
                found[f"{measure} {part}"] = row[measure][part]
        if row.get("sharpness"):
            found["sharpness"] = row["sharpness"]["result"]
        values[item_key(row)] = found
    return values


def reconstruction_values(report):
    return {(c["clip"], None): {m: c.get(m) for m in RECONSTRUCTION_MEASURES} for c in report["clips"]}


def compare(before, after):
    """{section: paired(...)} for two reports of the same kind."""
    if "same_identity_clips" in after:
        return {
            "same identity": paired(expression_values(before["same_identity_clips"]),
                                    expression_values(after["same_identity_clips"])),
            "cross identity": paired(expression_values(before["cross_identity_pairs"]),
                                     expression_values(after["cross_identity_pairs"])),
        }
    return {"reconstruction": paired(reconstruction_values(before), reconstruction_values(after))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before", help="model A's report (fomm.expression or fomm.evaluate JSON)")
    parser.add_argument("after", help="model B's report of the same kind")
    parser.add_argument("--out", help="also write the comparison as JSON")
    args = parser.parse_args(argv)
    result = compare(json.loads(Path(args.before).read_text()), json.loads(Path(args.after).read_text()))
    for section, measures in result.items():
        print(f"{section}:")
        for measure, (b, a, diff, error, count) in measures.items():
            print(f"  {measure:18s} {a:8.4f} -> {b:8.4f}   B-A {diff:+.4f} ± {error:.4f}   ({count})")
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
