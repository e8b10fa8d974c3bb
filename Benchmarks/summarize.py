#!/usr/bin/env python3
"""Reads package-benchmark's markdown output and run.sh's dd figures; prints the key
figures, the same-run ratios and the bars as markdown.

    summarize.py benchmarks.md dd.tsv

All figures are medians (p50) of per-iteration values unless a row says p99. For the
rate metrics package-benchmark orders the columns best-first, so its "p99" column of a
rate is the 1% worst iteration; latencies are per operation and their p99 is the tail.
"""
import re
import statistics
import sys


def parse_tables(path):
    """{benchmark name: {metric: {column: value}}} from package-benchmark markdown."""
    results, name, columns = {}, None, None
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        heading = re.match(r"^### (.+)$", line)
        if heading:
            name, columns = heading.group(1).strip(), None
            results[name] = {}
            continue
        if not line.startswith("|") or name is None:
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0] == "Metric":
            columns = cells[1:]
            continue
        if columns is None or set(cells[0]) <= set(":-"):
            continue
        metric = cells[0].rstrip(" *").strip()
        values = {}
        for column, cell in zip(columns, cells[1:]):
            try:
                values[column] = float(cell)
            except ValueError:
                pass
        results[name][metric] = values
    return results


def parse_dd(path):
    rates = {}
    for line in open(path, encoding="utf-8"):
        parts = line.split()
        if len(parts) == 2:
            rates.setdefault(parts[0], []).append(float(parts[1]))
    return {regime: statistics.median(values) for regime, values in rates.items()}


results = parse_tables(sys.argv[1])
dd = parse_dd(sys.argv[2])


def figure(benchmark, metric, column="p50"):
    try:
        return results[benchmark][metric][column]
    except KeyError:
        return None


def fmt(value, unit=""):
    if value is None:
        return "n/a"
    if unit == "records/s" or unit == "msg/s" or unit == "appends/s":
        return f"{value / 1e6:.2f} M{unit}" if value >= 1e6 else f"{value / 1e3:.1f} K{unit}"
    if unit == "MB/s":
        return f"{value / 1000:.2f} GB/s" if value >= 1000 else f"{value:.0f} MB/s"
    if unit == "us":
        return f"{value:.0f} µs"
    if unit == "x":
        return f"{value:.2f}×"
    return f"{value:g}"


def ratio(numerator, denominator):
    if numerator is None or denominator in (None, 0):
        return None
    return numerator / denominator


KIB = {1024: "1024KiB", 128: "128KiB"}
rows = []  # (area, what, value text)


def row(area, what, value, unit):
    rows.append((area, what, fmt(value, unit)))


# Codec
row("Codec", "CRC-32C 64 KiB, Basalt (SSE4.2, 3 streams)", figure("CRC-32C 64KiB (Basalt: SSE4.2, 3 streams)", "MB/s"), "MB/s")
row("Codec", "CRC-32C 64 KiB, portable slicing-by-8", figure("CRC-32C 64KiB (portable slicing-by-8)", "MB/s"), "MB/s")
for codec in ("none", "lz4"):
    row("Codec", f"encode 1000×100 B, {codec}", figure(f"encode 1000x100B {codec}", "records/s"), "records/s")
for codec in ("none", "lz4"):
    row("Codec", f"decode+CRC 1000×100 B, {codec}", figure(f"decode+CRC 1000x100B {codec}", "records/s"), "records/s")

# Append
for codec in ("none", "lz4"):
    name = f"append os 1000x100B {codec}"
    row("Append", f"append 1000×100 B {codec} (os)", figure(name, "records/s"), "msg/s")
GIB = "append 1000x1KiB vs raw pwrite, 1 GiB each, side by side"
row("Append", "append 1000×1 KiB (os), 1 GiB", figure(GIB, "append MB/s"), "MB/s")
row("Raw", "pwrite 1 MiB blocks, 1 GiB, side by side with it", figure(GIB, "pwrite 1MiB MB/s"), "MB/s")
row("Raw", "pwrite of the same ~1.04 MB batches, 1 GiB, side by side", figure(GIB, "pwrite same-size MB/s"), "MB/s")
row("Raw", "dd bs=1M count=1024 (median of 3, run.sh)", dd.get("1M"), "MB/s")
row("Raw", "dd bs=1041997 count=1031 (median of 3, run.sh)", dd.get("batch"), "MB/s")
SYNC = "append everyAppend 10x100B, 1 and 8 appenders, raw fdatasync interleaved"
raw_sync = "raw fdatasync after 4KiB append"
for label in ("1 appender", "8 appenders"):
    row("Append", f"everyAppend 10×100 B, {label}: throughput", figure(SYNC, f"{label} appends/s"), "appends/s")
    row("Append", f"everyAppend 10×100 B, {label}: latency p50", figure(SYNC, f"{label} latency us"), "us")
    row("Append", f"everyAppend 10×100 B, {label}: latency p99", figure(SYNC, f"{label} latency us", "p99"), "us")
row("Raw", "fdatasync after 4 KiB append, interleaved with everyAppend: p50", figure(SYNC, "raw fdatasync us"), "us")
row("Raw", "fdatasync after 4 KiB append, interleaved with everyAppend: p99", figure(SYNC, "raw fdatasync us", "p99"), "us")
row("Raw", "fdatasync after 4 KiB append, alone: p50", figure(raw_sync, "latency us"), "us")
row("Raw", "fdatasync after 4 KiB append, alone: p99", figure(raw_sync, "latency us", "p99"), "us")

# Read
for codec in ("none", "lz4"):
    for chunk in (1024, 128):
        suffix = f"{codec} {KIB[chunk]}"
        rr = f"read readRecords {suffix}"
        sp = f"read slices+pread {suffix}"
        pr = f"read plain read(2) {suffix}"
        label = f"{codec}, {chunk} KiB reads"
        row("Read", f"readRecords {label}: records", figure(rr, "records/s"), "records/s")
        row("Read", f"readRecords {label}: file bytes", figure(rr, "MB/s"), "MB/s")
        row("Read", f"readRecords {label}: payload (key+value)", figure(rr, "payload MB/s"), "MB/s")
        row("Read", f"slices+pread {label}: file bytes", figure(sp, "MB/s"), "MB/s")
        row("Read", f"plain read(2) {label}: file bytes", figure(pr, "MB/s"), "MB/s")

print("## Figures (medians of per-iteration values)\n")
print("| area | figure | value |")
print("|---|---|---:|")
for area, what, value in rows:
    print(f"| {area} | {what} | {value} |")

# Same-run ratios
ratios = []
append_gib = figure(GIB, "append MB/s")
ratios.append(("append 1 KiB ÷ dd bs=1M (medians, minutes apart)", ratio(append_gib, dd.get("1M"))))
ratios.append(("append 1 KiB ÷ dd bs=1041997 (medians, minutes apart)", ratio(append_gib, dd.get("batch"))))
for metric, what in (("append/pwrite 1MiB %", "pwrite 1 MiB"), ("append/pwrite same-size %", "pwrite same-size")):
    paired = figure(GIB, metric)
    ratios.append((f"append 1 KiB ÷ {what} (median of side-by-side ratios)", None if paired is None else paired / 100))
scaling = figure(SYNC, "8/1 appenders %")
ratios.append(("everyAppend: 8 appenders ÷ 1 appender, appends/s (median of paired ratios)",
               None if scaling is None else scaling / 100))
raw_p99 = figure(SYNC, "raw fdatasync us", "p99")
for label in ("1 appender", "8 appenders"):
    ratios.append((f"everyAppend p99, {label} ÷ interleaved raw fdatasync p99",
                   ratio(figure(SYNC, f"{label} latency us", "p99"), raw_p99)))
for chunk in (1024, 128):
    plain = figure(f"read plain read(2) none {KIB[chunk]}", "MB/s")
    ratios.append((f"readRecords none ÷ plain read(2), {chunk} KiB", ratio(figure(f"read readRecords none {KIB[chunk]}", "MB/s"), plain)))
    ratios.append((f"slices+pread none ÷ plain read(2), {chunk} KiB", ratio(figure(f"read slices+pread none {KIB[chunk]}", "MB/s"), plain)))

print("\n## Same-run ratios\n")
print("| ratio | value |")
print("|---|---:|")
for what, value in ratios:
    print(f"| {what} | {fmt(value, 'x')} |")


# Bars
def bar(what, measured_text, passed):
    verdict = "n/a" if passed is None else ("PASS" if passed else "FAIL")
    return (what, measured_text, verdict)


def at_least(value, threshold):
    return None if value is None else value >= threshold


def at_most(value, threshold):
    return None if value is None else value <= threshold


bars = []
versus_dd = ratio(figure(GIB, "append MB/s"), dd.get("1M"))
bars.append(bar("1 KiB append ≥ 80% of dd bs=1M buffered write", fmt(versus_dd, "x"), at_least(versus_dd, 0.8)))
for metric, what in (("append/pwrite 1MiB %", "pwrite 1 MiB"), ("append/pwrite same-size %", "pwrite of the same batch sizes")):
    paired = figure(GIB, metric)
    paired = None if paired is None else paired / 100
    bars.append(bar(f"1 KiB append ≥ 80% of side-by-side {what}", fmt(paired, "x"), at_least(paired, 0.8)))
value = figure("append os 1000x100B none", "records/s")
bars.append(bar("100 B × 1000 append, none ≥ 8 M msg/s", fmt(value, "msg/s"), at_least(value, 8e6)))
value = figure("append os 1000x100B lz4", "records/s")
bars.append(bar("100 B × 1000 append, LZ4 ≥ 4 M msg/s", fmt(value, "msg/s"), at_least(value, 4e6)))
for chunk in (1024, 128):
    value = figure(f"read readRecords none {KIB[chunk]}", "records/s")
    bars.append(bar(f"embedded consumer (readRecords, {chunk} KiB) ≥ 30 M records/s", fmt(value, "records/s"), at_least(value, 30e6)))
for path in ("readRecords", "slices+pread"):
    for chunk in (1024, 128):
        value = figure(f"read {path} none {KIB[chunk]}", "MB/s")
        plain = figure(f"read plain read(2) none {KIB[chunk]}", "MB/s")
        bars.append(bar(f"hot read {path} none, {chunk} KiB ≥ 2 GB/s", fmt(value, "MB/s"), at_least(value, 2000)))
        bars.append(bar(f"hot read {path} none, {chunk} KiB ≥ plain read(2)", f"{fmt(value, 'MB/s')} vs {fmt(plain, 'MB/s')}",
                        None if value is None or plain is None else value >= plain))
for chunk in (1024, 128):
    value = figure(f"read readRecords lz4 {KIB[chunk]}", "payload MB/s")
    bars.append(bar(f"LZ4 read ≥ 1 GB/s decompressed payload (readRecords, {chunk} KiB)", fmt(value, "MB/s"), at_least(value, 1000)))
scale = None if scaling is None else scaling / 100
bars.append(bar("everyAppend 8 appenders ≥ 4× one appender", fmt(scale, "x"), at_least(scale, 4)))
for label in ("1 appender", "8 appenders"):
    p99 = figure(SYNC, f"{label} latency us", "p99")
    value = ratio(p99, raw_p99)
    bars.append(bar(f"everyAppend p99 ≤ 3× raw fdatasync p99 ({label})",
                    f"{fmt(p99, 'us')} vs {fmt(raw_p99, 'us')} = {fmt(value, 'x')}", at_most(value, 3)))
value = figure("CRC-32C 64KiB (Basalt: SSE4.2, 3 streams)", "MB/s")
bars.append(bar("CRC-32C ≥ 16 GB/s on 64 KiB", fmt(value, "MB/s"), at_least(value, 16000)))

print("\n## Bars\n")
print("| bar | measured | verdict |")
print("|---|---|---|")
for what, measured, verdict in bars:
    print(f"| {what} | {measured} | {verdict} |")
