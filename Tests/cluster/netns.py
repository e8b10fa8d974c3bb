"""Network namespaces for partition tests, built with iproute2 only (no iptables, no tc qdiscs).

Each member (etcd, n1, n2, ...) gets a namespace `bj<id>-<member>` with a veth pair: one end
(`eth0`, address 10.<a>.<b>.<k>/24) inside, the other (`bj<id><member>`) enslaved to a bridge
`bj<id>br` in the root namespace. The root namespace also gets an address on the bridge
(10.<a>.<b>.1), so the test process reaches every member directly.

Faults:
  isolate(member)  - the member's veth goes down: it can reach no one (etcd, peers, clients).
  heal(member)     - brings it back up.
  cut(a, b)        - silently drops traffic between two members only (permanent neighbour
                     entries to a MAC nobody has, in both namespaces).
  uncut(a, b)      - removes them.
  heal_all()       - undoes every fault.

Names carry a per-network id (pid and counter), and a state file under /run/basalt-netns/ records the
owning pid so `cleanup_stale()` removes whatever a killed test run left behind. `Network` is a context
manager; `close()` is idempotent and removes namespaces (their processes are killed), veths and
the bridge.
"""
from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Optional

STATE_DIR = Path(os.environ.get("BASALT_NETNS_STATE", "/run/basalt-netns"))
PREFIX = "bj"
_counter = itertools.count()


class NetnsUnavailable(RuntimeError):
    pass


def _ip(*args: str, check: bool = True, netns: Optional[str] = None) -> subprocess.CompletedProcess:
    command = ["ip", *(["-n", netns] if netns else []), *args]
    result = subprocess.run(command, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def available() -> Optional[str]:
    """None when namespaces can be created here, else the reason they cannot."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    probe = f"{PREFIX}probe{os.getpid() % 100000}"
    result = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if result.returncode != 0:
        return f"ip netns add failed: {result.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _kill_namespace_processes(namespace: str) -> None:
    result = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True)
    for pid in result.stdout.split():
        try:
            os.kill(int(pid), signal.SIGCONT)
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass


def _remove(namespaces: list[str], links: list[str]) -> None:
    for namespace in namespaces:
        _kill_namespace_processes(namespace)
        subprocess.run(["ip", "netns", "del", namespace], capture_output=True)
    for link in links:
        subprocess.run(["ip", "link", "del", link], capture_output=True)


def cleanup_stale() -> list[str]:
    """Removes networks whose owning process is gone; returns their ids."""
    removed = []
    if not STATE_DIR.exists():
        return removed
    for state_file in STATE_DIR.glob("*.json"):
        try:
            state = json.loads(state_file.read_text())
        except (OSError, ValueError):
            state_file.unlink(missing_ok=True)
            continue
        if _pid_alive(int(state.get("owner", 0))):
            continue
        _remove(state.get("namespaces", []), state.get("links", []))
        state_file.unlink(missing_ok=True)
        removed.append(state_file.stem)
    return removed


class Network:
    """A bridge with one namespace per member; `address(member)` is where that member listens."""

    def __init__(self, members: list[str], network_id: Optional[str] = None):
        reason = available()
        if reason:
            raise NetnsUnavailable(reason)
        cleanup_stale()
        serial = next(_counter)
        self.id = network_id or f"{os.getpid() % 4096:03x}{serial % 16:x}"
        assert len(self.id) <= 6, "interface names must stay within 15 characters"
        # A /24 per network from 10.200.0.0/13, chosen from the id so concurrent runs do not collide.
        number = (os.getpid() * 16 + serial) % 2048
        self.subnet = (10, 200 + number // 256, number % 256)
        self.bridge = f"{PREFIX}{self.id}br"
        self.members = list(members)
        self._namespaces = {m: f"{PREFIX}{self.id}-{m}" for m in self.members}
        self._host_links = {m: f"{PREFIX}{self.id}{m}"[:15] for m in self.members}
        self._addresses = {m: self._subnet_address(index + 2) for index, m in enumerate(self.members)}
        self._cuts: set[tuple[str, str]] = set()
        self._isolated: set[str] = set()
        self._closed = False
        self._build()

    def _subnet_address(self, host: int) -> str:
        return f"{self.subnet[0]}.{self.subnet[1]}.{self.subnet[2]}.{host}"

    @property
    def gateway(self) -> str:
        """The root namespace's address on the bridge (where the test process is)."""
        return self._subnet_address(1)

    def _state_path(self) -> Path:
        return STATE_DIR / f"{self.id}.json"

    def _write_state(self) -> None:
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        self._state_path().write_text(json.dumps({
            "owner": os.getpid(), "namespaces": list(self._namespaces.values()),
            "links": [self.bridge, *self._host_links.values()]}))

    def _build(self) -> None:
        # Idempotent: anything left with these names from an earlier run with the same id goes first.
        _remove(list(self._namespaces.values()), [self.bridge, *self._host_links.values()])
        self._write_state()
        try:
            _ip("link", "add", self.bridge, "type", "bridge")
            _ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
            _ip("link", "set", self.bridge, "up")
            for member in self.members:
                namespace, host_link = self._namespaces[member], self._host_links[member]
                peer = f"{PREFIX}{self.id}p{self.members.index(member)}"
                subprocess.run(["ip", "netns", "add", namespace], check=True, capture_output=True)
                _ip("link", "add", host_link, "type", "veth", "peer", "name", peer)
                _ip("link", "set", peer, "netns", namespace)
                _ip("link", "set", peer, "name", "eth0", netns=namespace)
                _ip("addr", "add", f"{self._addresses[member]}/24", "dev", "eth0", netns=namespace)
                _ip("link", "set", "eth0", "up", netns=namespace)
                _ip("link", "set", "lo", "up", netns=namespace)
                _ip("link", "set", host_link, "master", self.bridge)
                _ip("link", "set", host_link, "up")
        except BaseException:
            self.close()
            raise

    # -- addressing

    def namespace(self, member: str) -> str:
        return self._namespaces[member]

    def address(self, member: str) -> str:
        return self._addresses[member]

    def exec_args(self, member: str, args: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self._namespaces[member], *args]

    # -- faults

    def isolate(self, member: str) -> None:
        _ip("link", "set", self._host_links[member], "down")
        self._isolated.add(member)

    def heal(self, member: str) -> None:
        _ip("link", "set", self._host_links[member], "up")
        self._isolated.discard(member)

    # A MAC address no interface has: frames sent to it are flooded by the bridge and dropped by
    # every receiver, so a cut is silent (connections hang and time out, as in a real partition).
    NOWHERE_MAC = "02:00:00:00:de:ad"

    def cut(self, a: str, b: str) -> None:
        """Silently drops packets between `a` and `b` in both directions; each still reaches everyone
        else, and the root namespace (the test's clients) still reaches both. Done with permanent
        neighbour entries pointing each side's address of the other at a MAC nobody has (iproute2
        only: this kernel has no tc qdisc modules and there is no iptables)."""
        for source, target in ((a, b), (b, a)):
            _ip("neigh", "replace", self._addresses[target], "lladdr", self.NOWHERE_MAC, "dev", "eth0",
                "nud", "permanent", netns=self._namespaces[source])
        self._cuts.add((a, b))

    def uncut(self, a: str, b: str) -> None:
        for source, target in ((a, b), (b, a)):
            _ip("neigh", "del", self._addresses[target], "dev", "eth0", netns=self._namespaces[source], check=False)
        self._cuts.discard((a, b))
        self._cuts.discard((b, a))

    def partition_off(self, member: str) -> None:
        """Cuts `member` from every other member but leaves it reachable from the root namespace
        (the test process and its clients)."""
        for other in self.members:
            if other != member:
                self.cut(member, other)

    def heal_all(self) -> None:
        for a, b in list(self._cuts):
            self.uncut(a, b)
        for member in list(self._isolated):
            self.heal(member)

    # -- teardown

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        _remove(list(self._namespaces.values()), [self.bridge, *self._host_links.values()])
        self._state_path().unlink(missing_ok=True)

    def __enter__(self) -> "Network":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def leftovers(self) -> list[str]:
        """Names of this network's namespaces and links that still exist (empty after close)."""
        namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
        found = [n for n in self._namespaces.values() if n in namespaces.split()]
        found += [l for l in [self.bridge, *self._host_links.values()] if f" {l}:" in links or f" {l}@" in links]
        return found
