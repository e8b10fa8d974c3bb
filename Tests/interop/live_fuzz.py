#!/usr/bin/env python3
"""Fuzzes a live `basalt-broker` with mutants of real clients' request frames.

    python3 Tests/interop/live_fuzz.py --mutants 2000 --seed 1 [--broker PATH] [--findings FILE]
    python3 Tests/interop/live_fuzz.py --seed 1 --replay 417 [--minimise]

For each mutant (see frame_mutator.py): one connection sends it (sometimes after a valid
ApiVersions, so the connection is warm) followed by a valid ApiVersions "marker", reads
until the marker's answer, EOF or a short timeout — never waiting for the mutant's own
answer, since the broker may park a Fetch or close — and closes. Then a NEW connection
sends ApiVersions v0 (sometimes v3) and needs a well-formed answer with its correlation id
within `--probe-deadline` seconds (liveness, not synchronisation).

If the broker died or the probe failed, the mutant (and, when it does not reproduce alone,
the few before it) is replayed on a fresh broker to name the culprit, recorded in the
findings file as JSON lines (seed, index, api, version, mutation, trap line, hex), and
fuzzing continues on a fresh broker. The summary groups findings by the broker log's trap
line. The exit status is 1 when there are findings.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import BrokerProcess  # noqa: E402
from frame_mutator import (Mutant, Mutator, encode_uvarint, find_fields, frame_with_size,  # noqa: E402
                           parse_frame, replace_client_id, request_header)

DEFAULT_SEED = 20240611
EXCHANGE_SECONDS = 0.2         # how long the mutant's connection waits for the marker
MAX_SUSPECTS = 8               # timed-out mutants replayed when a failure is not the last mutant's
PROBE_DEADLINE_SECONDS = 5.0
TRAP_PATTERN = re.compile(r"(Fatal error|Precondition failed|Assertion failed|Crash|precondition|💣)[^\n]*")
HERE = Path(__file__).resolve()


# ---------------------------------------------------------------------------------------
# ApiVersions requests and the checks on their answers


FRAME_PATTERN = re.compile(r"^\s*\d+ .*?0x[0-9a-f]+ (.+?) \+ \d+ in basalt-broker at \S*/Sources/(\S+?):(\d+)")
# Frames that only say "a primitive write trapped"; the caller after them names the field.
GENERIC_SOURCES = ("ByteBuffer+Kafka", "KafkaCodable.swift")


def describe_trap(log_text: str) -> Optional[str]:
    """The trap line of a broker log (build paths removed), with the crashing thread's first
    Basalt frame outside the generic primitive readers/writers, or None if there is none."""
    match = TRAP_PATTERN.search(log_text)
    if not match:
        return None
    start = log_text.rfind("\n", 0, match.start()) + 1
    end = log_text.find("\n", match.end())
    line = re.sub(r"/\S*/(Sources|Swift)/", r"\1/", log_text[start:end if end >= 0 else len(log_text)].strip())
    crashed = re.compile(r"^Thread \d+ .*crashed:$", re.M).search(log_text, match.end())
    if crashed:
        for frame_line in log_text[crashed.end():].splitlines()[1:60]:
            if frame_line.startswith("Thread "):
                break
            frame = FRAME_PATTERN.match(frame_line)
            if frame and not any(g in frame.group(2) for g in GENERIC_SOURCES):
                line += f" (via {frame.group(1)} at {frame.group(2).split('/')[-1]}:{frame.group(3)})"
                break
    return line


def api_versions_request(correlation_id: int, version: int = 0) -> bytes:
    frame = request_header(18, version, correlation_id, b"basalt-live-fuzz")
    if version >= 3:
        frame += b"\x0cbasalt-fuzz\x041.0\x00"     # compact software name and version, no tags
    return frame_with_size(frame)


def check_api_versions_response(frame: bytes, correlation_id: int, version: int) -> Optional[str]:
    """None if `frame` (after its size) is a good ApiVersions answer, else what is wrong."""
    if len(frame) < 4:
        return f"{len(frame)}-byte response"
    (got,) = struct.unpack_from(">i", frame, 0)
    if got != correlation_id:
        return f"correlation id {got}, expected {correlation_id}"
    body = frame[4:]
    try:
        (error,) = struct.unpack_from(">h", body, 0)
        if error != 0:
            return f"error code {error}"
        if version >= 3:
            count, offset = body[2] - 1, 3
            entry = 7
        else:
            count, offset = struct.unpack_from(">i", body, 2)[0], 6
            entry = 6
        keys = {struct.unpack_from(">h", body, offset + i * entry)[0] for i in range(count)}
    except (struct.error, IndexError):
        return f"malformed body {body[:32].hex()}"
    if 18 not in keys:
        return f"api keys {sorted(keys)} lack ApiVersions"
    return None


def read_frame(sock: socket.socket, deadline: float) -> Optional[bytes]:
    """One size-prefixed frame, or None on EOF; raises socket.timeout past the deadline."""
    data = b""
    need = 4
    size = None
    while len(data) < need:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("deadline")
        sock.settimeout(remaining)
        chunk = sock.recv(max(need - len(data), 65536))
        if not chunk:
            return None
        data += chunk
        if size is None and len(data) >= 4:
            (size,) = struct.unpack_from(">i", data, 0)
            need = 4 + size
    return data[4:need]


def connect(port: int, timeout: float) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    # Close with RST: tens of thousands of connections must not pile up in TIME_WAIT.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def probe(port: int, correlation_id: int, version: int, deadline_seconds: float) -> Optional[str]:
    """None if a new connection gets a good ApiVersions answer in time, else why not."""
    deadline = time.monotonic() + deadline_seconds
    try:
        with connect(port, deadline_seconds) as sock:
            sock.sendall(api_versions_request(correlation_id, version))
            frame = read_frame(sock, deadline)
    except socket.timeout:
        return f"no ApiVersions v{version} answer within {deadline_seconds} s"
    except OSError as error:
        return f"ApiVersions v{version} probe: {error}"
    if frame is None:
        return f"connection closed before the ApiVersions v{version} answer"
    return check_api_versions_response(frame, correlation_id, version)


def exchange(port: int, mutant: Mutant, warm: bool, wait_seconds: float) -> str:
    """Sends the mutant and a marker ApiVersions after it; returns how the connection ended."""
    marker = 0x4D4B0000 | (mutant.index & 0xFFFF)
    deadline = time.monotonic() + wait_seconds
    try:
        with connect(port, 2.0) as sock:
            payload = (api_versions_request(0x5741524D) if warm else b"") + mutant.wire + api_versions_request(marker)
            sock.sendall(payload)
            buffer = b""
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return "timeout"
                sock.settimeout(remaining)
                chunk = sock.recv(1 << 20)
                if not chunk:
                    return "closed"
                buffer += chunk
                # Walk the complete responses; the marker's answer is the last one.
                offset = 0
                while len(buffer) - offset >= 8:
                    (size,) = struct.unpack_from(">i", buffer, offset)
                    if size < 4 or len(buffer) - offset - 4 < size:
                        break
                    if struct.unpack_from(">i", buffer, offset + 4)[0] == marker:
                        return "answered"
                    offset += 4 + size
                buffer = buffer[offset:]
    except socket.timeout:
        return "timeout"
    except OSError as error:
        return f"error {error.errno}"


# ---------------------------------------------------------------------------------------
# The broker under test


class FuzzedBroker:
    """A broker that can die: each start gets a fresh data dir and log under `root`."""

    def __init__(self, root: Path):
        self.root = root
        self.starts = 0
        self.broker: Optional[BrokerProcess] = None
        self.log_offset = 0

    @property
    def port(self) -> int:
        return self.broker.port

    def start(self) -> None:
        self.starts += 1
        name = f"broker-{self.starts}"
        self.broker = BrokerProcess(self.root / f"{name}-data", self.root / f"{name}.log")
        self.broker.start()
        self.log_offset = 0

    def alive(self) -> bool:
        return self.broker.process is not None and self.broker.process.poll() is None

    def new_log(self) -> str:
        """Log text written since the last call."""
        with open(self.broker.log_path, "rb") as log:
            log.seek(self.log_offset)
            data = log.read()
        self.log_offset += len(data)
        return data.decode(errors="replace")

    def trap(self, wait_seconds: float = 15.0) -> Optional[str]:
        """The log's trap line and the innermost Basalt frame of the crashed thread's backtrace.

        A trapping process first prints the trap line, then Swift's backtracer prints every
        thread and exits; this waits for the exit so the backtrace is complete. Returns e.g.
        "BasaltKafka/ByteBuffer+KafkaWrite.swift:88: Precondition failed: … (via
        CreateTopicsResponse.Topic.encode(into:version:) at CreateTopicsResponse.swift:36)".
        """
        deadline = time.monotonic() + wait_seconds
        no_trap_deadline = time.monotonic() + 3.0
        text = self.new_log()
        while self.alive() and time.monotonic() < deadline:
            if not TRAP_PATTERN.search(text) and time.monotonic() > no_trap_deadline:
                break          # alive and no trap after 3 s: a hang, not a dying process
            time.sleep(0.05)
            text += self.new_log()
        text += self.new_log()
        return describe_trap(text)

    def discard(self) -> Optional[int]:
        """Kills the process if it still runs; returns its exit status."""
        process = self.broker.process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        code = process.wait()
        self.broker.log_file.close()
        self.broker.process = None
        return code

    def stop(self) -> None:
        if self.alive():
            self.broker.stop()
        else:
            self.discard()


# ---------------------------------------------------------------------------------------
# The fuzz loop


@dataclass
class Finding:
    seed: int
    index: int
    api: str
    source: str
    kind: str               # "crash" (the process exited) or "hang" (alive, no answer)
    problem: str            # what the probe saw
    trap: Optional[str]
    description: str
    wire_hex: str
    confirmed: bool
    exit_code: Optional[int] = None

    def replay_command(self) -> str:
        return f"python3 {HERE.relative_to(HERE.parents[2])} --seed {self.seed} --replay {self.index} --minimise"

    @property
    def group(self) -> str:
        return f"{self.trap or self.kind + ': ' + self.problem} [{self.api}]"


@dataclass
class Outcome:
    failed: bool
    problem: str = ""
    kind: str = ""


@dataclass
class Run:
    seed: int
    sent_per_api: Counter = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    sent: int = 0
    skipped: int = 0


def driver_choices(seed: int, index: int) -> tuple[bool, int]:
    """(warm connection?, probe version) for a mutant: a pure function of (seed, index)."""
    rng = random.Random(f"basalt-live-fuzz-driver:{seed}:{index}")
    return rng.random() < 0.3, (3 if rng.random() < 0.25 else 0)


def try_mutant(broker: FuzzedBroker, mutant: Mutant, wait_seconds: float,
               probe_deadline: float) -> tuple[Outcome, str]:
    """Sends one mutant and probes; returns the outcome and how the mutant's connection ended."""
    warm, probe_version = driver_choices(mutant.seed, mutant.index)
    ended = exchange(broker.port, mutant, warm, wait_seconds)
    if not broker.alive():
        return Outcome(True, "broker exited", "crash"), ended
    problem = probe(broker.port, 0x50520000 | (mutant.index & 0xFFFF), probe_version, probe_deadline)
    if problem is None:
        return Outcome(False), ended
    return Outcome(True, problem, "crash" if not broker.alive() else "hang"), ended


def reproduces(broker: FuzzedBroker, mutant: Mutant, probe_deadline: float) -> tuple[bool, Optional[str], Optional[int]]:
    """Replays one mutant on a fresh broker: (failed?, trap line, exit code). Leaves a live broker."""
    broker.start()
    outcome, _ = try_mutant(broker, mutant, 1.0, probe_deadline)
    if not outcome.failed:
        # Also catch traps that happen after the answer (a parked Fetch expiring).
        time.sleep(0.2)
        outcome = Outcome(not broker.alive(), "broker exited after the probe", "crash")
    if not outcome.failed:
        broker.stop()
        return False, None, None
    trap = broker.trap()
    code = broker.discard()
    return True, trap, code


def fuzz(seed: int, count: int, root: Path, start_index: int = 0, findings_path: Optional[Path] = None,
         probe_deadline: float = PROBE_DEADLINE_SECONDS, skip: Optional[str] = None, log=print) -> Run:
    """Sends mutants start_index..start_index+count-1 of `seed`; those whose description
    matches the regex `skip` (a class already known) are built but not sent."""
    mutator = Mutator(seed)
    broker = FuzzedBroker(root)
    broker.start()
    run = Run(seed)
    pending: list[Mutant] = []     # mutants whose connection timed out: the broker may still work on them
    began = time.monotonic()
    try:
        for index in range(start_index, start_index + count):
            mutant = mutator.mutant(index)
            if skip and re.search(skip, mutant.description):
                run.skipped += 1
                continue
            run.sent_per_api[mutant.api] += 1
            run.sent += 1
            outcome, ended = try_mutant(broker, mutant, EXCHANGE_SECONDS, probe_deadline)
            if not outcome.failed:
                if ended == "timeout":
                    pending = (pending + [mutant])[-MAX_SUSPECTS:]
                continue
            trap = broker.trap()
            kind = "crash" if trap or not broker.alive() else "hang"
            code = broker.discard()
            # Name the culprit: the mutant itself, else one the broker may still have been
            # working on (a parked Fetch that trapped when it expired).
            culprit, confirmed = mutant, False
            for suspect in [mutant] + pending[::-1]:
                failed, suspect_trap, suspect_code = reproduces(broker, suspect, probe_deadline)
                if failed:
                    culprit, confirmed, trap, code = suspect, True, suspect_trap or trap, suspect_code
                    break
            finding = Finding(seed, culprit.index, culprit.api, culprit.source.source, kind,
                              outcome.problem, trap, culprit.description, culprit.wire.hex(), confirmed, code)
            run.findings.append(finding)
            log(f"FINDING seed {seed} index {culprit.index} {culprit.api}: {kind} ({outcome.problem}); "
                f"trap: {trap}; mutation: {culprit.description[:200]}; confirmed: {confirmed}", flush=True)
            if findings_path:
                with open(findings_path, "a") as out:
                    out.write(json.dumps(finding.__dict__) + "\n")
            pending = []
            broker.start()
    finally:
        run.seconds = time.monotonic() - began
        broker.stop()
    return run


def summary(runs: list[Run]) -> str:
    sent = sum(r.sent for r in runs)
    seconds = sum(r.seconds for r in runs)
    per_api = Counter()
    for r in runs:
        per_api.update(r.sent_per_api)
    skipped = sum(r.skipped for r in runs)
    lines = [f"{sent} mutants in {seconds:.1f} s ({sent / max(seconds, 1e-9):.0f} mutants/s), "
             f"seeds {', '.join(str(r.seed) for r in runs)}" + (f", {skipped} skipped" if skipped else ""),
             "mutants per api:"]
    lines += [f"  {api:28} {n}" for api, n in sorted(per_api.items())]
    groups = defaultdict(list)
    for r in runs:
        for finding in r.findings:
            groups[finding.group].append(finding)
    lines.append(f"{sum(len(g) for g in groups.values())} findings in {len(groups)} classes" if groups else "0 findings")
    for group, members in sorted(groups.items(), key=lambda g: -len(g[1])):
        first = members[0]
        lines.append(f"  {len(members):4} x {group}")
        lines.append(f"         e.g. {first.description[:160]}")
        lines.append(f"         replay: {first.replay_command()}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Minimising a crashing frame


def minimise(broker: FuzzedBroker, mutant: Mutant, trap: Optional[str], probe_deadline: float,
             budget: int = 150, log=print) -> bytes:
    """The smallest frame found (bytes after the size) that still fails with the same trap line.

    Tries, in order: a truthful size prefix; an empty client id; each printable string cut
    to one byte (length field adjusted); truncating the tail; deleting chunks (delta
    debugging), where a run of 8 or more equal bytes is one unit; shortening long runs. Each
    try costs a broker run, so at most `budget` tries.
    """
    tries = 0
    # Without the backtracer a trapping broker exits at once; the trap line stays, its
    # "(via …)" frame goes, so only the line is compared.
    previous_backtrace = os.environ.get("SWIFT_BACKTRACE")
    os.environ["SWIFT_BACKTRACE"] = "enable=no"
    trap_line = trap.split(" (via ")[0] if trap else None

    def fails(frame: bytes) -> bool:
        nonlocal tries
        tries += 1
        candidate = Mutant(mutant.seed, mutant.index, mutant.source, frame, frame_with_size(frame), "minimising")
        failed, got_trap, _ = reproduces(broker, candidate, probe_deadline)
        return failed and (trap_line is None or (got_trap or "").split(" (via ")[0] == trap_line)

    try:
        return _minimise(mutant, fails, lambda: tries, budget, log)
    finally:
        if previous_backtrace is None:
            del os.environ["SWIFT_BACKTRACE"]
        else:
            os.environ["SWIFT_BACKTRACE"] = previous_backtrace


def _minimise(mutant: Mutant, fails, tries, budget: int, log) -> bytes:
    best = mutant.frame
    if not fails(best):
        log("minimise: the frame does not fail with a truthful size prefix; keeping it as sent")
        return mutant.frame
    # Structure first: an empty client id, then each printable string shortened to one byte
    # (its length field follows), so the frame stays decodable while it shrinks.
    try:
        parsed = parse_frame(best)
        if parsed.client_id and tries() < budget:
            candidate = replace_client_id(parsed, b"")
            if fails(candidate):
                best = candidate
        position = 0
        while tries() < budget:
            parsed = parse_frame(best)
            strings = [f for f in find_fields(parsed).strings if f.length_offset >= position and f.data_length > 1]
            if not strings:
                break
            target = strings[0]
            position = target.length_offset + 1
            length = encode_uvarint(2) if target.compact else struct.pack(">h", 1)
            candidate = best[:target.length_offset] + length + b"x" + best[target.end:]
            if fails(candidate):
                best = candidate
    except (struct.error, TypeError, ValueError):
        pass
    # Then the tail, by bisection over lengths that still fail.
    low, high = 10, len(best)
    while low < high and tries() < budget:
        middle = (low + high) // 2
        if fails(best[:middle]):
            high = middle
        else:
            low = middle + 1
    best = best[:high]

    def units(frame: bytes) -> list[bytes]:
        out, i = [], 0
        while i < len(frame):
            j = i
            while j < len(frame) and frame[j] == frame[i]:
                j += 1
            if j - i >= 8:
                out.append(frame[i:j])
            else:
                out.extend(frame[k:k + 1] for k in range(i, j))
            i = j
        return out

    chunks = 2
    pieces = units(best)
    while tries() < budget and len(pieces) >= 2:
        size = max(1, len(pieces) // chunks)
        reduced = False
        for start in range(0, len(pieces), size):
            candidate = pieces[:start] + pieces[start + size:]
            if tries() >= budget:
                break
            if len(b"".join(candidate)) >= 10 and fails(b"".join(candidate)):
                pieces, reduced = candidate, True
                chunks = max(chunks - 1, 2)
                break
        if not reduced:
            if size == 1:
                break
            chunks = min(chunks * 2, len(pieces))
    # Shorten long runs while the trap stays.
    for i, piece in enumerate(pieces):
        while len(piece) >= 16 and tries() < budget:
            shorter = piece[:len(piece) * 3 // 4]
            candidate = pieces[:i] + [shorter] + pieces[i + 1:]
            if not fails(b"".join(candidate)):
                break
            piece = shorter
            pieces = candidate
    best = b"".join(pieces)
    log(f"minimise: {len(mutant.frame)} -> {len(best)} bytes in {tries()} broker runs")
    return best


def describe_bytes(data: bytes) -> str:
    """`data` as a Python expression with runs of 8 or more equal bytes folded: b"…" + b"\\xff" * 11000."""
    parts, i = [], 0
    while i < len(data):
        j = i
        while j < len(data) and data[j] == data[i]:
            j += 1
        if j - i >= 8:
            parts.append(f"{bytes([data[i]])!r} * {j - i}")
            i = j
        else:
            k = i
            while k < len(data):
                run = k
                while run < len(data) and data[run] == data[k]:
                    run += 1
                if run - k >= 8:
                    break
                k = run
            parts.append(repr(data[i:k]))
            i = k
    return " + ".join(parts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mutants", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--start", type=int, default=0, help="first mutant index")
    parser.add_argument("--broker", help="basalt-broker binary (default: $BASALT_BROKER or the newest build)")
    parser.add_argument("--findings", type=Path, help="append findings here as JSON lines")
    parser.add_argument("--replay", type=int, help="replay this mutant index of --seed only")
    parser.add_argument("--minimise", action="store_true", help="with --replay: minimise the failing frame")
    parser.add_argument("--probe-deadline", type=float, default=PROBE_DEADLINE_SECONDS)
    parser.add_argument("--skip", metavar="REGEX",
                        help="do not send mutants whose mutation description matches (known classes)")
    parser.add_argument("--keep", action="store_true", help="keep the brokers' data dirs and logs")
    args = parser.parse_args(argv)
    if args.broker:
        os.environ["BASALT_BROKER"] = str(Path(args.broker).resolve())
    root = Path(tempfile.mkdtemp(prefix="basalt-live-fuzz-"))
    try:
        if args.replay is not None:
            mutant = Mutator(args.seed).mutant(args.replay)
            print(f"seed {args.seed} index {args.replay}: {mutant.api} from {mutant.source.source}\n"
                  f"  mutation: {mutant.description}\n  wire ({len(mutant.wire)} bytes): {mutant.wire[:96].hex()}…")
            broker = FuzzedBroker(root)
            failed, trap, code = reproduces(broker, mutant, args.probe_deadline)
            print(f"  {'FAILS' if failed else 'passes'}; exit code {code}; trap: {trap}")
            if failed and args.minimise:
                small = minimise(broker, mutant, trap, args.probe_deadline)
                print(f"  minimal frame ({len(small)} bytes): {small.hex() if len(small) <= 200 else small[:200].hex() + '…'}")
                print(f"  as Python: {describe_bytes(small)}")
            return 1 if failed else 0
        run = fuzz(args.seed, args.mutants, root, args.start, args.findings, args.probe_deadline, args.skip)
        print(summary([run]))
        return 1 if run.findings else 0
    finally:
        if args.keep:
            print(f"broker logs and data: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
