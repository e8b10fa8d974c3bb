import Basalt
import Foundation
import Synchronization

/// The broker settings AlterConfigs may change while the broker runs (resource type 4):
/// the defaults of topic settings, under Kafka's broker names. Kept in
/// `broker/dynamic-config.json` (replaced atomically), read at start over the defaults of
/// the properties file.
///
/// | broker name | topic setting it is the default of |
/// |---|---|
/// | `log.retention.ms` | `retention.ms` |
/// | `log.retention.bytes` | `retention.bytes` |
/// | `log.segment.bytes` | `segment.bytes` |
/// | `log.roll.ms` | `segment.ms` |
/// | `message.max.bytes` | `max.message.bytes` |
/// | `log.flush.interval.ms` | `flush.ms` |
/// | `log.flush.interval.messages` | `flush.messages` |
/// | `log.index.interval.bytes` | `index.interval.bytes` |
/// | `log.index.size.max.bytes` | `segment.index.bytes` |
final class BrokerDynamicSettings: Sendable {
    /// Broker name → the topic setting it is the default of.
    static let topicSettingNames: [String: String] = [
        "log.retention.ms": "retention.ms",
        "log.retention.bytes": "retention.bytes",
        "log.segment.bytes": "segment.bytes",
        "log.roll.ms": "segment.ms",
        "message.max.bytes": "max.message.bytes",
        "log.flush.interval.ms": "flush.ms",
        "log.flush.interval.messages": "flush.messages",
        "log.index.interval.bytes": "index.interval.bytes",
        "log.index.size.max.bytes": "segment.index.bytes",
    ]
    static let fileName = "dynamic-config.json"
    static let remedy = "Fix or remove it (removing it returns every dynamic broker setting to the properties file's value)."
    /// The most the file may hold; a full one is under 1 KiB.
    static let maxFileBytes = 64 << 10

    /// What is in force: the values set and the topic defaults they give.
    struct State: Equatable {
        var values: [String: String]
        var topicDefaults: LogConfig
    }

    private struct File: Codable {
        var version: Int
        var settings: [String: String]
    }

    private let path: String
    /// The topic defaults of the properties file, under the dynamic values.
    private let staticDefaults: LogConfig
    private let state: Mutex<State>

    /// Reads the file in `directory` (none: nothing set).
    ///
    /// - Throws: ``BrokerStateFileError`` when it is there but does not parse or names a
    ///   setting or value this broker refuses.
    init(directory: String, staticDefaults: LogConfig) throws {
        path = directory + "/" + Self.fileName
        self.staticDefaults = staticDefaults
        var values: [String: String] = [:]
        if let bytes = try AtomicFile.read(path, maxBytes: Self.maxFileBytes) {
            guard let file = try? JSONDecoder().decode(File.self, from: Data(bytes)), file.version == 1 else {
                throw BrokerStateFileError(path: path, reason: "not a dynamic broker config of version 1", remedy: Self.remedy)
            }
            values = file.settings
        }
        let defaults: LogConfig
        do throws(TopicSettingsError) {
            defaults = try Self.topicDefaults(values, over: staticDefaults)
        } catch {
            throw BrokerStateFileError(path: path, reason: error.description, remedy: Self.remedy)
        }
        state = Mutex(State(values: values, topicDefaults: defaults))
    }

    /// The settings set now and the topic defaults they give.
    var current: State { state.withLock { $0 } }

    /// The topic defaults `values` give over `staticDefaults`.
    ///
    /// - Throws: ``TopicSettingsError`` naming an unknown setting or a bad value.
    static func topicDefaults(_ values: [String: String], over staticDefaults: LogConfig) throws(TopicSettingsError) -> LogConfig {
        var settings: [(name: String, value: String?)] = []
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let topicName = topicSettingNames[name] else { throw .unsupported(name: name, value: value) }
            settings.append((topicName, value))
        }
        return try TopicSettings.apply(settings, to: staticDefaults)
    }

    /// What `values` would put in force, or the error that refuses them.
    func validate(_ values: [String: String]) throws(TopicSettingsError) -> State {
        State(values: values, topicDefaults: try Self.topicDefaults(values, over: staticDefaults))
    }

    /// Writes `next` to the file, then puts it in force. Returns the state it replaced.
    ///
    /// - Throws: the errors of writing the file; nothing changes then.
    func replace(with next: State) throws -> State {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes = Array(try encoder.encode(File(version: 1, settings: next.values)))
        try AtomicFile.replace(path, with: bytes)
        return state.withLock { state in
            defer { state = next }
            return state
        }
    }
}
