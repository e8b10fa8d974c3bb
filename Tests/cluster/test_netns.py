"""The namespace plumbing on its own: two HTTP servers in their own namespaces, reached across the
bridge, cut off and healed, and nothing left behind afterwards. Needs no broker."""
import subprocess
import sys
import urllib.request

import pytest

import cluster
import netns

reason = netns.available()
pytestmark = pytest.mark.skipif(reason is not None, reason=f"network namespaces unavailable: {reason}")

PORT = 8765


def reachable_from(network, source, target, timeout=1.0) -> bool:
    url = f"http://{network.address(target)}:{PORT}/"
    if source == "root":
        try:
            with urllib.request.urlopen(url, timeout=timeout):
                return True
        except OSError:
            return False
    result = subprocess.run(network.exec_args(source, ["curl", "-s", "-o", "/dev/null", "-m", str(timeout), url]))
    return result.returncode == 0


@pytest.fixture
def network(tmp_path):
    net = netns.Network(["a", "b"])
    servers = []
    try:
        for member in ("a", "b"):
            servers.append(subprocess.Popen(
                net.exec_args(member, [sys.executable, "-m", "http.server", str(PORT),
                                       "--bind", net.address(member), "--directory", str(tmp_path)]),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for member in ("a", "b"):
            cluster.wait_until(lambda: reachable_from(net, "root", member), 15, f"http.server in {member}")
        yield net
    finally:
        for server in servers:
            server.kill()
            server.wait()
        net.close()
        assert net.leftovers() == [], net.leftovers()


def test_members_reach_each_other_and_root_reaches_both(network):
    assert reachable_from(network, "a", "b")
    assert reachable_from(network, "b", "a")
    assert network.address("a") != network.address("b")


def test_isolate_cuts_a_member_off_and_heal_restores_it(network):
    network.isolate("b")
    assert not reachable_from(network, "a", "b")
    assert not reachable_from(network, "root", "b")
    network.heal("b")
    cluster.wait_until(lambda: reachable_from(network, "a", "b"), 10, "b reachable after heal")
    assert reachable_from(network, "root", "b")


def test_cut_drops_only_the_link_between_two_members(network):
    network.cut("a", "b")
    assert not reachable_from(network, "a", "b")
    assert not reachable_from(network, "b", "a")
    assert reachable_from(network, "root", "a")
    assert reachable_from(network, "root", "b")
    network.heal_all()
    assert reachable_from(network, "a", "b")


def test_close_is_idempotent_and_stale_networks_are_removed():
    net = netns.Network(["x"])
    net.close()
    net.close()
    assert net.leftovers() == []
    # A state file whose owner is gone is cleaned up by the next run.
    stale = netns.Network(["y"])
    state = stale._state_path()
    text = state.read_text().replace(f'"owner": {__import__("os").getpid()}', '"owner": 999999999')
    state.write_text(text)
    assert stale.id in netns.cleanup_stale()
    assert stale.leftovers() == []
    stale._closed = True
