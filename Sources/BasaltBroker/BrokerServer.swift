import Basalt
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The broker process: a SwiftNIO listener for Kafka clients in front of a ``Broker``,
/// and optionally a Prometheus `/metrics` listener.
///
/// ```
/// let server = try await BrokerServer.start(configuration: configuration)
/// // ... serve until a signal ...
/// try await server.shutdown()
/// ```
///
/// ``shutdown()`` stops accepting, lets in-flight requests finish (parked fetches and
/// group joins answer at once), closes the connections, writes producer-state snapshots
/// and closes the store cleanly, so the next start scans nothing.
public final class BrokerServer: Sendable {
    /// The broker behind the listener.
    public let broker: Broker
    /// Where the Kafka listener is bound (the real port when 0 was asked for).
    public let boundAddress: HostPort
    /// Where the metrics listener is bound, if any.
    public let metricsAddress: HostPort?
    private let group: MultiThreadedEventLoopGroup
    private let serverChannel: any Channel
    private let metricsChannel: (any Channel)?
    private let connections: ConnectionRegistry
    private let stopped = Atomic<Bool>(false)

    private init(broker: Broker, boundAddress: HostPort, metricsAddress: HostPort?, group: MultiThreadedEventLoopGroup,
                 serverChannel: any Channel, metricsChannel: (any Channel)?, connections: ConnectionRegistry) {
        self.broker = broker
        self.boundAddress = boundAddress
        self.metricsAddress = metricsAddress
        self.group = group
        self.serverChannel = serverChannel
        self.metricsChannel = metricsChannel
        self.connections = connections
    }

    /// Opens the store, binds the listeners and starts serving.
    ///
    /// - Throws: ``BrokerConfigurationError``, ``BrokerStateFileError`` for a damaged
    ///   file in `<data dir>/broker/`, the store's ``BasaltError``s (for example
    ///   ``BasaltError/storeLocked(path:)``), and socket errors from binding.
    public static func start(configuration: BrokerConfiguration) async throws -> BrokerServer {
        let broker = try Broker(configuration: configuration)
        let logger = configuration.logger
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let connections = ConnectionRegistry()
        let maxConnections = configuration.maxConnections
        let maxRequestBytes = configuration.maxRequestBytes
        let maxInFlight = configuration.maxInFlightBytesPerConnection
        let serverChannel: any Channel
        do {
            serverChannel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.socketOption(.so_keepalive), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelOption(.autoRead, value: true)
                .childChannelInitializer { channel in
                    guard let id = connections.open(channel, limit: maxConnections) else {
                        broker.metrics.connectionRejected()
                        logger.warning("refusing connection: max.connections \(maxConnections) reached",
                                       metadata: ["peer": "\(channel.remoteAddress.map { "\($0)" } ?? "?")"])
                        return channel.close()
                    }
                    broker.metrics.connectionOpened(open: connections.count)
                    channel.closeFuture.whenComplete { _ in
                        connections.close(id)
                        broker.metrics.connectionClosed(open: connections.count)
                    }
                    let info = ConnectionInfo(id: id, peer: channel.remoteAddress.map { "\($0)" } ?? "?",
                                              clientHost: "/" + (channel.remoteAddress?.ipAddress ?? ""))
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(KafkaFrameDecoder(maxFrameBytes: maxRequestBytes)))
                        try channel.pipeline.syncOperations.addHandler(
                            KafkaConnectionHandler(broker: broker, connection: info, maxQueuedBytes: maxInFlight))
                    }
                }
                .bind(host: configuration.listenHost, port: configuration.listenPort)
                .get()
        } catch {
            try? broker.close()
            try? await group.shutdownGracefully()
            throw error
        }
        let port = serverChannel.localAddress?.port ?? configuration.listenPort
        let wildcard = ["0.0.0.0", "::", ""].contains(configuration.listenHost)
        broker.setAdvertisedAddress(HostPort(
            host: configuration.advertisedHost ?? (wildcard ? "127.0.0.1" : configuration.listenHost),
            port: configuration.advertisedPort ?? port))

        var metricsChannel: (any Channel)?
        var metricsAddress: HostPort?
        if let metricsHost = configuration.metricsHost {
            do {
                let channel = try await ServerBootstrap(group: group)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelInitializer { channel in
                        channel.pipeline.configureHTTPServerPipeline().flatMap {
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler { await broker.renderMetrics() })
                            }
                        }
                    }
                    .bind(host: metricsHost, port: configuration.metricsPort)
                    .get()
                metricsChannel = channel
                metricsAddress = HostPort(host: metricsHost, port: channel.localAddress?.port ?? configuration.metricsPort)
            } catch {
                try? await serverChannel.close()
                try? broker.close()
                try? await group.shutdownGracefully()
                throw error
            }
        }
        if let cluster = broker.cluster {
            do {
                try await cluster.start(advertised: broker.advertisedAddress)
                try await broker.startAuthorization()
            } catch {
                logger.error("cannot join the cluster", metadata: ["error": "\(error)"])
                await cluster.stop()
                try? await serverChannel.close()
                try? await metricsChannel?.close()
                try? broker.close()
                try? await group.shutdownGracefully()
                throw error
            }
        }
        let bound = HostPort(host: configuration.listenHost, port: port)
        logger.info("listening", metadata: [
            "listen": "\(bound)", "advertised": "\(broker.advertisedAddress)",
            "metrics": "\(metricsAddress.map { "\($0)" } ?? "off")", "clusterId": "\(broker.clusterId)",
        ])
        return BrokerServer(broker: broker, boundAddress: bound, metricsAddress: metricsAddress, group: group,
                            serverChannel: serverChannel, metricsChannel: metricsChannel, connections: connections)
    }

    /// Stops accepting, finishes in-flight requests (up to the configured grace),
    /// closes every connection, then flushes and closes the store cleanly.
    public func shutdown() async throws {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let logger = broker.logger
        if let cluster = broker.cluster {
            // Controlled shutdown: while still serving, hand leadership to other in-sync
            // replicas, so clients move on at once instead of after the session timeout.
            logger.info("controlled shutdown: moving leadership away")
            if await cluster.controlledShutdown(timeout: .seconds(5)) {
                // Stay registered and answering (NOT_LEADER_OR_FOLLOWER) a moment longer: a
                // client whose metadata refresh finds the new leader while this broker is
                // still listed moves its partitions at once. librdkafka, when the old broker has
                // already vanished from the list, parks them on an internal broker until its
                // next 1 s scan (seen in bench-cluster: up to 1 s without an acknowledgement).
                try? await Task.sleep(for: .milliseconds(cluster.configuration.controlledShutdownLingerMs))
            }
        }
        logger.info("shutting down: no longer accepting connections")
        try? await serverChannel.close()
        try? await metricsChannel?.close()
        await broker.drain(grace: .milliseconds(broker.configuration.shutdownGraceMs))
        await broker.cluster?.stop()
        if broker.requestsInFlight > 0 {
            logger.warning("closing connections with \(broker.requestsInFlight) requests still in flight")
        }
        for channel in connections.all() { try? await channel.close() }
        var closeError: (any Error)?
        do { try broker.close() } catch { closeError = error }
        try? await group.shutdownGracefully()
        if let closeError { throw closeError }
    }
}

extension Broker {
    /// The Prometheus text of this broker's metrics.
    public func renderMetrics() async -> String {
        metrics.render(store: store, groups: await groups.describe())
    }
}

/// Open client connections, for the connection cap and for closing them at shutdown.
final class ConnectionRegistry: Sendable {
    private struct State {
        var channels: [UInt64: any Channel] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Registers `channel` and returns its id, or nil when `limit` connections are open.
    func open(_ channel: any Channel, limit: Int) -> UInt64? {
        state.withLock { state in
            guard state.channels.count < limit else { return nil }
            state.nextID += 1
            state.channels[state.nextID] = channel
            return state.nextID
        }
    }

    func close(_ id: UInt64) {
        _ = state.withLock { $0.channels.removeValue(forKey: id) }
    }

    var count: Int { state.withLock { $0.channels.count } }

    func all() -> [any Channel] { state.withLock { Array($0.channels.values) } }
}
