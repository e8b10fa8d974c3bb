"""`make cluster`: a local etcd and three brokers in cluster mode on 127.0.0.1:9092/9093/9094, data in
./data-cluster/ (kept between runs). Prints the bootstrap string; Ctrl-C stops everything.

    python3 Tests/cluster/run_local_cluster.py [--data DIR] [--brokers 3] [--etcd-port 2379] [-c name=value ...]
"""
import argparse
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cluster import Cluster, ClusterModeUnsupported  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="data-cluster")
    parser.add_argument("--brokers", type=int, default=3)
    parser.add_argument("--first-port", type=int, default=9092)
    parser.add_argument("--etcd-port", type=int, default=2379)
    parser.add_argument("--name", default="local")
    parser.add_argument("-c", "--config", action="append", default=[], metavar="NAME=VALUE",
                        help="a broker setting (server.properties name), repeatable")
    args = parser.parse_args()
    settings = {"default.replication.factor": min(3, args.brokers), "min.insync.replicas": min(2, args.brokers)}
    for item in args.config:
        name, _, value = item.partition("=")
        settings[name] = value
    ports = [args.first_port + i for i in range(args.brokers)]
    cluster = Cluster(Path(args.data).resolve(), brokers=args.brokers, settings=settings, name=args.name,
                      ports=ports, etcd_port=args.etcd_port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        cluster.start()
    except ClusterModeUnsupported as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(cluster.describe())
    print(f"\nbootstrap: {cluster.bootstrap}\netcd: {cluster.etcd.url} (keys under /basalt/{cluster.name}/)"
          f"\nlogs: {cluster.workdir}/broker-*/broker.log\nCtrl-C stops the cluster.", flush=True)
    try:
        while not stop.wait(1.0):
            for node in cluster.nodes.values():
                if not node.alive() and node.process is not None and node.process.returncode is not None:
                    print(f"broker {node.node_id} exited with {node.process.returncode}; see {node.log_path}", flush=True)
                    node.process = None
    except KeyboardInterrupt:
        pass
    finally:
        print("stopping: SIGTERM to every broker, then etcd", flush=True)
        for node in cluster.nodes.values():
            if node.alive():
                try:
                    node.kill(signal.SIGTERM, timeout=30)
                except AssertionError as error:
                    print(error, file=sys.stderr)
        cluster.teardown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
