import Basalt
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
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
    /// Where the first Kafka listener is bound (the real port when 0 was asked for).
    public let boundAddress: HostPort
    /// Where every listener is bound, by listener name.
    public let boundAddresses: [String: HostPort]
    /// Where the metrics listener is bound, if any.
    public let metricsAddress: HostPort?
    private let group: MultiThreadedEventLoopGroup
    private let serverChannels: [any Channel]
    private let metricsChannel: (any Channel)?
    private let connections: ConnectionRegistry
    private let stopped = Atomic<Bool>(false)
    private let certificateWatcher: Task<Void, Never>?

    private init(broker: Broker, boundAddresses: [String: HostPort], boundAddress: HostPort, metricsAddress: HostPort?,
                 group: MultiThreadedEventLoopGroup, serverChannels: [any Channel], metricsChannel: (any Channel)?,
                 connections: ConnectionRegistry, configuration: BrokerConfiguration) {
        self.broker = broker
        self.boundAddress = boundAddress
        self.boundAddresses = boundAddresses
        self.metricsAddress = metricsAddress
        self.group = group
        self.serverChannels = serverChannels
        self.metricsChannel = metricsChannel
        self.connections = connections
        if let tls = configuration.tls, tls.reloadCheckIntervalMs > 0 {
            let watcher = CertificateFileWatcher(
                security: broker.security, paths: [tls.keystorePath, tls.keyPath, tls.truststorePath].compactMap { $0 },
                intervalMs: tls.reloadCheckIntervalMs, logger: broker.logger)
            certificateWatcher = Task { await watcher.run() }
        } else {
            certificateWatcher = nil
        }
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
        var serverChannels: [any Channel] = []
        var boundAddresses: [String: HostPort] = [:]
        var firstBound: HostPort?
        do {
            for listener in configuration.effectiveListeners {
                let channel = try await bind(listener, broker: broker, group: group, connections: connections,
                                             configuration: configuration)
                serverChannels.append(channel)
                let port = channel.localAddress?.port ?? listener.port
                let wildcard = ["0.0.0.0", "::", ""].contains(listener.host)
                let bound = HostPort(host: listener.host, port: port)
                boundAddresses[listener.name] = bound
                if firstBound == nil { firstBound = bound }
                let advertised = HostPort(host: listener.advertisedHost ?? (wildcard ? "127.0.0.1" : listener.host),
                                          port: listener.advertisedPort ?? port)
                broker.security.setAdvertisedAddress(advertised, listener: listener.name)
                if listener.name == configuration.interBrokerListener.name { broker.setAdvertisedAddress(advertised) }
            }
        } catch {
            for channel in serverChannels { try? await channel.close() }
            try? broker.close()
            try? await group.shutdownGracefully()
            throw error
        }

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
                for channel in serverChannels { try? await channel.close() }
                try? broker.close()
                try? await group.shutdownGracefully()
                throw error
            }
        }
        if let cluster = broker.cluster {
            do {
                try await cluster.start(advertised: broker.advertisedAddress, listeners: broker.security.advertisedAddresses)
                try await broker.startAuthorization()
            } catch {
                logger.error("cannot join the cluster", metadata: ["error": "\(error)"])
                await cluster.stop()
                for channel in serverChannels { try? await channel.close() }
                try? await metricsChannel?.close()
                try? broker.close()
                try? await group.shutdownGracefully()
                throw error
            }
        }
        let advertised = broker.security.advertisedAddresses
        for listener in configuration.effectiveListeners {
            logger.info("listening", metadata: [
                "listener": "\(listener.name)", "securityProtocol": "\(listener.securityProtocol.rawValue)",
                "listen": "\(boundAddresses[listener.name].map { "\($0)" } ?? "?")",
                "advertised": "\(advertised[listener.name].map { "\($0)" } ?? "?")",
            ])
        }
        logger.info("serving", metadata: [
            "metrics": "\(metricsAddress.map { "\($0)" } ?? "off")", "clusterId": "\(broker.clusterId)",
            "interBrokerListener": "\(configuration.interBrokerListener.name)",
        ])
        return BrokerServer(broker: broker, boundAddresses: boundAddresses,
                            boundAddress: firstBound ?? HostPort(host: configuration.listenHost, port: configuration.listenPort),
                            metricsAddress: metricsAddress, group: group, serverChannels: serverChannels,
                            metricsChannel: metricsChannel, connections: connections, configuration: configuration)
    }

    /// Re-reads the TLS certificate, key and truststore files (SIGHUP); new connections get
    /// the new certificate, open ones keep theirs.
    ///
    /// - Throws: ``BrokerConfigurationError`` when the files cannot be used; the old
    ///   material stays in use.
    public func reloadCertificates() throws(BrokerConfigurationError) {
        try broker.security.reloadCertificates()
        broker.logger.info("TLS certificates reloaded")
    }

    /// Binds one listener: TLS first on SSL and SASL_SSL listeners, then the frame decoder,
    /// then the connection handler (with a SASL exchange on SASL listeners).
    private static func bind(_ listener: ListenerConfiguration, broker: Broker, group: MultiThreadedEventLoopGroup,
                             connections: ConnectionRegistry, configuration: BrokerConfiguration) async throws -> any Channel {
        let logger = configuration.logger
        let maxConnections = configuration.maxConnections
        let maxRequestBytes = configuration.maxRequestBytes
        let maxInFlight = configuration.maxInFlightBytesPerConnection
        let tls = listener.securityProtocol.usesTLS ? broker.security.tls : nil
        let usesSASL = listener.securityProtocol.usesSASL
        let name = listener.name
        return try await ServerBootstrap(group: group)
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
                let peer = channel.remoteAddress.map { "\($0)" } ?? "?"
                let info = ConnectionInfo(id: id, peer: peer, clientHost: "/" + (channel.remoteAddress?.ipAddress ?? ""),
                                          listener: name)
                let sasl = usesSASL
                    ? SaslServerSession(settings: configuration.sasl, store: broker.security.credentials,
                                        unknownUserKey: broker.security.unknownUserKey, metrics: broker.metrics,
                                        logger: logger, peer: peer)
                    : nil
                return channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.server))
                    }
                    var decoder = KafkaFrameDecoder(maxFrameBytes: maxRequestBytes)
                    let limits = FrameLimits(maxFrameBytes: maxRequestBytes)
                    if sasl != nil {
                        limits.maxFrameBytes = min(maxRequestBytes, configuration.sasl.maxReceiveBytes)
                        decoder.limits = limits
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(decoder))
                    try channel.pipeline.syncOperations.addHandler(
                        KafkaConnectionHandler(broker: broker, connection: info, maxQueuedBytes: maxInFlight,
                                               sasl: sasl, tls: tls != nil, frameLimits: limits))
                }
            }
            .bind(host: listener.host, port: listener.port)
            .get()
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
        certificateWatcher?.cancel()
        logger.info("shutting down: no longer accepting connections")
        for channel in serverChannels { try? await channel.close() }
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
