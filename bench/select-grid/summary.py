"""The grid's table (markdown) from run.sh's results.tsv: per budget and method, the covering radius, the classes
among the picks (each seed's), linear and kNN top-1 in %, as mean ± sample sd over the seeds (one run: the value)."""
import csv
import statistics
import sys

ORDER = ["kcenter", "random", "cluster", "typical"]


def cell(values, scale=1.0, digits=1):
    values = [v * scale for v in values]
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def main(path):
    rows = list(csv.DictReader(open(path), delimiter="\t"))
    groups = {}
    for r in rows:
        groups.setdefault((int(r["budget"]), r["method"]), []).append(r)
    print("| budget | method | seeds | covering radius | classes | linear top-1 (%) | kNN top-1 (%) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for (budget, method) in sorted(groups, key=lambda k: (k[0], ORDER.index(k[1]) if k[1] in ORDER else 99)):
        g = groups[(budget, method)]
        seeds = ",".join(r["seed"] for r in g)
        print(f"| {budget} | {method} | {seeds} | {cell([float(r['radius']) for r in g], digits=3)} | "
              f"{'/'.join(r['classes'] for r in g)} | {cell([float(r['linear_top1']) for r in g], 100)} | "
              f"{cell([float(r['knn_top1']) for r in g], 100)} |")


if __name__ == "__main__":
    main(sys.argv[1])
