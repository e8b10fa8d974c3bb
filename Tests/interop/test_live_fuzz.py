"""Live fuzzing: a real broker must survive mutants of real clients' request frames.

Each mutant is followed by an ApiVersions request on a new connection that must be
answered (live_fuzz.py). BASALT_LIVE_FUZZ_MUTANTS (default 2000) and BASALT_LIVE_FUZZ_SEED
(default live_fuzz.DEFAULT_SEED) choose the run; the seed is printed so a failure replays.
`make fuzz-live` runs 50,000.
"""
import os

from live_fuzz import DEFAULT_SEED, fuzz, summary


def test_broker_survives_mutated_client_frames(tmp_path):
    count = int(os.environ.get("BASALT_LIVE_FUZZ_MUTANTS", "2000"))
    seed = int(os.environ.get("BASALT_LIVE_FUZZ_SEED", str(DEFAULT_SEED)))
    print(f"live fuzz: {count} mutants, seed {seed} (BASALT_LIVE_FUZZ_SEED={seed} replays this run)")
    run = fuzz(seed, count, tmp_path, findings_path=tmp_path / "findings.jsonl")
    print(summary([run]))
    assert run.sent == count
    details = "\n".join(f"{f.api}: {f.kind}, {f.trap or f.problem}\n  mutation: {f.description[:300]}\n"
                        f"  replay: {f.replay_command()}" for f in run.findings)
    assert not run.findings, f"{len(run.findings)} mutants stopped or hung the broker (seed {seed}):\n{details}"


def test_mutants_are_reproducible_from_seed_and_index():
    """The driver's replay command rebuilds a finding from (seed, index) alone."""
    from frame_mutator import Mutator
    first, second = Mutator(7), Mutator(7)
    for index in (0, 1, 17, 999, 4242):
        assert first.mutant(index).wire == second.mutant(index).wire
    assert first.mutant(1).wire != first.mutant(2).wire
