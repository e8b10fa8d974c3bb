import ArgumentParser
import BasaltBroker
import Dispatch
import Foundation
import Glibc
import Logging

/// `basalt-broker`: serves a Basalt store to Kafka clients.
@main
struct BasaltBrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "basalt-broker",
        abstract: "A Kafka-protocol broker on the Basalt storage core.",
        discussion: """
            Command-line options override the configuration file. SIGTERM or SIGINT shuts \
            down gracefully: stop accepting, finish in-flight requests, flush, close the store. \
            SIGHUP reloads the TLS certificate, key and truststore files. \
            `basalt-broker scram-credential --help` describes the user subcommand.
            """)

    /// Dispatches `scram-credential` to its command, everything else to the broker.
    ///
    /// Not an ArgumentParser subcommand: the broker's options (`--data-dir`) would claim the
    /// subcommand's options of the same name.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == ScramCredentialCommand.configuration.commandName {
            ScramCredentialCommand.main(Array(arguments.dropFirst()))
            return
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    @Option(name: .long, help: "Store directory.")
    var dataDir: String?

    @Option(name: .long, help: "Address to listen on for Kafka clients, HOST:PORT.")
    var listen: String?

    @Option(name: .long, help: "Address clients are told to connect to, HOST:PORT (defaults to the listen address).")
    var advertisedListener: String?

    @Option(name: .long, help: "Kafka listeners, NAME://HOST:PORT[,…] (replaces --listen; see docs/security.md).")
    var listeners: String?

    @Option(name: .long, help: "Advertised listeners, NAME://HOST:PORT[,…].")
    var advertisedListeners: String?

    @Option(name: .long, help: "A server.properties setting, NAME=VALUE; repeatable, applied after --config.")
    var override: [String] = []

    @Option(name: .long, help: "Address of the Prometheus /metrics endpoint, HOST:PORT (off when absent).")
    var metrics: String?

    @Option(name: .long, help: "Configuration file in Kafka's server.properties format.")
    var config: String?

    @Option(name: .long, help: "This broker's node id in the cluster (Kafka's node.id).")
    var nodeId: Int32?

    @Option(name: .long, help: "etcd endpoints, http://HOST:PORT[,http://HOST:PORT…]: runs in cluster mode.")
    var etcd: String?

    @Option(name: .long, help: "Cluster name; every etcd key lives under /basalt/NAME/ (default basalt).")
    var cluster: String?

    @Flag(name: .long, help: "Check every request against ACLs (Kafka's authorizer.class.name); off: everything is allowed.")
    var authorizer = false

    @Option(name: .long, help: "Principals allowed everything, separated by semicolons: User:admin;User:broker (Kafka's super.users).")
    var superUsers: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    mutating func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var configuration = BrokerConfiguration()
        if let config {
            try BrokerPropertiesFile.apply(path: config, to: &configuration)
        }
        var properties = override
        if let listeners { properties.append("listeners=\(listeners)") }
        if let advertisedListeners { properties.append("advertised.listeners=\(advertisedListeners)") }
        if !properties.isEmpty {
            // One pass, so listeners, their protocol map and TLS settings are read together.
            var text = ""
            if let config, let data = FileManager.default.contents(atPath: config), let file = String(data: data, encoding: .utf8) {
                text = file + "\n"
            }
            try BrokerPropertiesFile.apply(text: text + properties.joined(separator: "\n"), to: &configuration)
        }
        if let dataDir { configuration.dataDirectory = dataDir }
        if let listen {
            configuration.listeners = []
            guard let address = HostPort(parsing: listen) else { throw ValidationError("--listen needs HOST:PORT") }
            configuration.listenHost = address.host
            configuration.listenPort = address.port
        }
        if let advertisedListener {
            guard let address = HostPort(parsing: advertisedListener) else {
                throw ValidationError("--advertised-listener needs HOST:PORT")
            }
            configuration.advertisedHost = address.host
            configuration.advertisedPort = address.port
        }
        if let metrics {
            guard let address = HostPort(parsing: metrics) else { throw ValidationError("--metrics needs HOST:PORT") }
            configuration.metricsHost = address.host
            configuration.metricsPort = address.port
        }
        if let nodeId { configuration.nodeId = nodeId }
        if let etcd {
            var cluster = configuration.cluster ?? ClusterConfiguration(etcdEndpoints: [], name: "basalt")
            cluster.etcdEndpoints = etcd.split(separator: ",").map(String.init)
            configuration.cluster = cluster
        }
        if let cluster {
            guard configuration.cluster != nil else { throw ValidationError("--cluster needs --etcd (or basalt.etcd.endpoints)") }
            configuration.cluster?.name = cluster
        }
        if let settings = configuration.cluster, settings.etcdEndpoints.isEmpty {
            throw ValidationError("cluster settings need etcd endpoints: --etcd or basalt.etcd.endpoints")
        }
        if authorizer { configuration.authorization.enabled = true }
        if let superUsers { configuration.authorization.superUsers = try AuthorizationSettings.parseSuperUsers(superUsers) }
        configuration.logger = Logger(label: "basalt.broker")
        configuration.logger.logLevel = level

        let signals = SignalWaiter(signals: [SIGTERM, SIGINT, SIGHUP])
        let server = try await BrokerServer.start(configuration: configuration)
        var received = await signals.wait()
        while received == SIGHUP {
            do {
                try server.reloadCertificates()
            } catch {
                configuration.logger.error("TLS certificates not reloaded; the old ones stay in use", metadata: ["error": "\(error)"])
            }
            received = await signals.wait()
        }
        configuration.logger.info("received signal \(received)")
        try await server.shutdown()
    }
}

/// Turns SIGTERM/SIGINT into an async wait. The signals are ignored for the process so
/// only the dispatch sources see them.
final class SignalWaiter {
    private let sources: [any DispatchSourceSignal]
    // One iterator for the life of the waiter: an AsyncStream is iterated once.
    private var iterator: AsyncStream<Int32>.Iterator

    init(signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.iterator = stream.makeAsyncIterator()
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    /// The next signal received.
    func wait() async -> Int32 {
        var current = iterator
        let number = await current.next()
        iterator = current
        return number ?? 0
    }
}
