import Basalt
import BasaltEtcd
import Logging
import Synchronization

/// Keeps a ``ClusterView`` current by watching the cluster's etcd prefix, and tells the
/// broker's components when it changes. Brokers learn changes by watching, never by
/// polling: one prefix read, then the watch from the next revision.
///
/// When the watch ends (etcd compacted past it, every endpoint failed for a while) the
/// view is read again and watched from there. While etcd is unreachable the last view
/// stays in force: produce and fetch go on with it, and only changes wait.
final class ClusterMetadata: Sendable {
    let keys: ClusterKeys
    private let client: EtcdClient
    private let logger: Logger
    private let current: Mutex<ClusterView>
    private let subscribers = Mutex<[UInt64: AsyncStream<ClusterView>.Continuation]>([:])
    private let nextSubscriber = Atomic<UInt64>(0)
    private let watcher = Mutex<Task<Void, Never>?>(nil)

    /// - Parameter view: the view until ``start()`` reads the cluster; tests of components
    ///   that only read the view pass one and never start.
    init(client: EtcdClient, keys: ClusterKeys, logger: Logger, view: ClusterView = ClusterView()) {
        self.client = client
        self.keys = keys
        self.logger = logger
        self.current = Mutex(view)
    }

    /// The view as of the last event applied.
    var view: ClusterView { current.withLock { $0 } }

    /// Reads the prefix once (so ``view`` is complete when this returns) and starts watching.
    ///
    /// - Throws: the etcd client's errors when the first read fails.
    func start() async throws {
        let revision = try await reload()
        let task = Task { [weak self] in
            var from = revision + 1
            while !Task.isCancelled {
                guard let self else { return }
                do {
                    for try await event in self.client.watch(prefix: self.keys.root, fromRevision: from) {
                        self.apply([event])
                        from = event.revision + 1
                    }
                    if Task.isCancelled { return }
                } catch {
                    if Task.isCancelled { return }
                    self.logger.warning("cluster watch ended, reading the cluster again", metadata: ["error": "\(error)"])
                }
                // Read everything again: events between the watch's end and a new watch
                // would otherwise be missed (compaction, long etcd outage).
                guard let revision = await EtcdRetry.untilDone(
                    "read the cluster from etcd", logger: self.logger, pause: .milliseconds(500), { try await self.reload() })
                else { return }
                from = revision + 1
            }
        }
        watcher.withLock { $0 = task }
    }

    /// Stops watching and ends every subscription.
    func stop() {
        watcher.withLock { $0?.cancel() }
        let ended = subscribers.withLock { state -> [AsyncStream<ClusterView>.Continuation] in
            defer { state.removeAll() }
            return Array(state.values)
        }
        for continuation in ended { continuation.finish() }
    }

    /// A stream of views, newest first: a slow reader sees the latest view, never a backlog.
    /// It starts with the current view.
    func updates() -> AsyncStream<ClusterView> {
        let (stream, continuation) = AsyncStream.makeStream(of: ClusterView.self, bufferingPolicy: .bufferingNewest(1))
        let id = nextSubscriber.add(1, ordering: .relaxed).newValue
        subscribers.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        continuation.yield(view)
        return stream
    }

    /// Waits until `condition` holds for the view, or `timeout` passes. Returns the view that
    /// satisfied it.
    func waitFor(timeout: Duration, _ condition: @escaping @Sendable (ClusterView) -> Bool) async -> ClusterView? {
        let now = view
        if condition(now) { return now }
        let updates = updates()
        return await withTaskGroup(of: ClusterView?.self) { group in
            group.addTask {
                for await next in updates where condition(next) { return next }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Reads the whole cluster again (after this broker got a new lease, its view may be
    /// stale); the watch goes on from where it was, skipping what the read already has.
    func refresh() async throws {
        try await reload()
    }

    @discardableResult
    private func reload() async throws -> Int64 {
        let result = try await client.getPrefix(keys.root)
        var fresh = ClusterView()
        for keyValue in result.keyValues {
            fresh.apply(key: keyValue.key, value: keyValue.value, modRevision: keyValue.modRevision, keys: keys)
        }
        fresh.revision = result.revision
        fresh.snapshotRevision = result.revision
        report(fresh.problems)
        current.withLock { $0 = fresh }
        publish(fresh)
        return result.revision
    }

    private func apply(_ events: [EtcdWatchEvent]) {
        let next = current.withLock { view -> ClusterView in
            for event in events where event.revision > view.snapshotRevision {
                let value: [UInt8]? = event.kind == .put ? event.keyValue.value : nil
                view.apply(key: event.keyValue.key, value: value, modRevision: event.revision, keys: keys)
                if let problem = view.problems[event.keyValue.key] {
                    logger.error("ignoring unreadable cluster record", metadata: ["error": "\(problem)"])
                }
            }
            return view
        }
        publish(next)
    }

    private func report(_ problems: [String: ClusterRecordError]) {
        for problem in problems.values {
            logger.error("ignoring unreadable cluster record", metadata: ["error": "\(problem)"])
        }
    }

    private func publish(_ view: ClusterView) {
        let continuations = subscribers.withLock { Array($0.values) }
        for continuation in continuations { continuation.yield(view) }
    }
}
