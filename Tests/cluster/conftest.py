"""Fixtures for the cluster tests: a seed per test, fault rounds, clusters and namespaces that are
always torn down, and broker logs printed when a test fails.

Environment:
  BASALT_BROKER          the broker binary (else the newest .build*/{release,debug}/basalt-broker)
  BASALT_CLUSTER_SEED    replay a seed (every test prints the one it used)
  BASALT_CLUSTER_ROUNDS  fault rounds for the looping tests (default 3)
  BASALT_PAUSE_ROUNDS    rounds of the SIGSTOP test (default 1)
"""
import os
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cluster as cluster_module  # noqa: E402
import netns  # noqa: E402


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
    seed = getattr(item, "basalt_seed", None)
    if seed is not None and report.failed:
        report.sections.append(("seed", f"replay with BASALT_CLUSTER_SEED={seed} "
                                        f"python3 -m pytest Tests/cluster/{item.path.name}::{item.name}"))


def _failed(request) -> bool:
    return any(getattr(request.node, f"rep_{when}", None) is not None and getattr(request.node, f"rep_{when}").failed
               for when in ("setup", "call"))


@pytest.fixture
def seed(request) -> int:
    explicit = os.environ.get("BASALT_CLUSTER_SEED")
    value = int(explicit) if explicit else random.SystemRandom().randrange(2**32)
    request.node.basalt_seed = value
    print(f"seed={value} (replay: BASALT_CLUSTER_SEED={value})")
    return value


@pytest.fixture
def rng(seed) -> random.Random:
    return random.Random(seed)


@pytest.fixture
def rounds() -> int:
    return int(os.environ.get("BASALT_CLUSTER_ROUNDS", "3"))


@pytest.fixture
def pause_rounds() -> int:
    return int(os.environ.get("BASALT_PAUSE_ROUNDS", "1"))


@pytest.fixture
def cluster_factory(tmp_path, request):
    """make(brokers=3, settings={...}, network=None) -> a started Cluster; torn down after the test.

    A broker without cluster mode fails the test with one clear sentence instead of a traceback."""
    clusters = []

    def make(brokers=3, settings=None, network=None, session_timeout_ms=3000, **kwargs):
        c = cluster_module.Cluster(tmp_path / f"cluster{len(clusters)}", brokers=brokers, settings=settings,
                                   network=network, session_timeout_ms=session_timeout_ms, **kwargs)
        clusters.append(c)
        try:
            return c.start()
        except cluster_module.ClusterModeUnsupported as error:
            pytest.fail(f"CLUSTER MODE MISSING: {error}", pytrace=False)

    yield make
    for c in clusters:
        if _failed(request):
            print(f"\n==== cluster state and logs (kept in {c.workdir}) ====\n{c.collect_logs()}")
        c.teardown()
        leftovers = [n.node_id for n in c.nodes.values() if n.alive()]
        assert not leftovers, f"brokers {leftovers} still running after teardown"


@pytest.fixture
def network_factory():
    """make(members) -> a netns.Network; skipped when namespaces are unavailable; always closed."""
    reason = netns.available()
    if reason:
        pytest.skip(f"network namespaces unavailable: {reason}")
    networks = []

    def make(members):
        network = netns.Network(members)
        networks.append(network)
        return network

    yield make
    for network in networks:
        network.close()
        assert network.leftovers() == [], f"namespace leftovers: {network.leftovers()}"


@pytest.fixture
def single_broker(tmp_path, request):
    """One broker in single-node mode (no --etcd), for checking the harness against what exists."""
    node = cluster_module.Node(0, tmp_path, "single", [], {}, cluster_mode=False)
    node.start()
    yield node
    if _failed(request):
        print(f"\n==== broker log {node.log_path} ====\n{node.log()[-5000:]}")
    code = node.kill(__import__("signal").SIGTERM) if node.alive() else 0
    assert code == 0, f"single broker exited {code} after SIGTERM"
