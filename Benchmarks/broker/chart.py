#!/usr/bin/env python3
"""Draws the broker benchmark figures written by `RESULTS=FILE Benchmarks/broker/run.sh`.

    python3 Benchmarks/broker/chart.py RESULTS.tsv docs/broker-benchmark.png

One group of bars per load (produce rows, then fetch), one bar per system, in MB/s of
record values. Needs matplotlib (pip install matplotlib).
"""
import sys

import matplotlib

matplotlib.use("Agg")  # no display: write the file only
import matplotlib.pyplot as plt


def main(source, target):
    loads, systems, figures = [], [], {}
    with open(source) as rows:
        for row in rows:
            load, system, value = row.rstrip("\n").split("\t")
            if load not in loads:
                loads.append(load)
            if system not in systems:
                systems.append(system)
            figures[(load, system)] = float(value)
    width = 0.8 / len(systems)
    figure, axes = plt.subplots(figsize=(13, 5.5))
    for index, system in enumerate(systems):
        xs = [i + index * width for i, load in enumerate(loads) if (load, system) in figures]
        ys = [figures[(load, system)] for load in loads if (load, system) in figures]
        axes.bar(xs, ys, width, label=system)
    axes.set_xticks([i + 0.4 - width / 2 for i in range(len(loads))])
    axes.set_xticklabels([load.replace(" acks", "\nacks") for load in loads], fontsize=8)
    axes.set_ylabel("MB/s of record values")
    axes.set_title("basalt-broker and peers, one run on loopback (Benchmarks/broker/run.sh)")
    axes.legend(fontsize=8)
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    figure.savefig(target, dpi=110)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: chart.py RESULTS.tsv OUTPUT.png")
    main(sys.argv[1], sys.argv[2])
