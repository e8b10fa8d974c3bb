import Basalt

/// The settings set on a topic itself (Kafka's dynamic topic configs), by their Kafka
/// names; every other setting follows the broker's default. What AlterConfigs replaces,
/// IncrementalAlterConfigs edits and DescribeConfigs reports as `DYNAMIC_TOPIC_CONFIG`.
///
/// In cluster mode they are the topic record's `configs` in etcd, kept as set. A single
/// node keeps only the resulting ``LogConfig`` in its topic file, so there they are
/// derived: the settings whose value differs from the default (a value set equal to the
/// default reads as the default, which it is).
struct TopicConfigOverrides: Equatable, Sendable {
    /// Kafka name → value.
    var values: [String: String]

    /// The names that all set the durability policy: setting or deleting one replaces the
    /// others.
    static let durabilityNames: Set<String> = ["flush.messages", "flush.ms", "basalt.durability"]
    /// The settings whose value is a comma-separated list (APPEND and SUBTRACT apply).
    static let listNames: Set<String> = ["cleanup.policy"]

    init(_ values: [String: String] = [:]) {
        self.values = values
    }

    /// The overrides that make `config` out of `defaults` (single node).
    init(derivedFrom config: LogConfig, defaults: LogConfig) {
        let base = Dictionary(TopicSettings.describe(defaults).map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        var values: [String: String] = [:]
        for (name, value) in TopicSettings.describe(config) where !Self.durabilityNames.contains(name) && base[name] != value {
            values[name] = value
        }
        if config.durability != defaults.durability {
            values["basalt.durability"] = TopicSettings.describe(config.durability)
        }
        self.values = values
    }

    /// Whether `name` is set on the topic (a durability alias counts when any is).
    func isSet(_ name: String) -> Bool {
        if Self.durabilityNames.contains(name) { return !values.keys.filter(Self.durabilityNames.contains).isEmpty }
        return values[name] != nil
    }

    /// One IncrementalAlterConfigs operation: 0 set, 1 delete (back to the default),
    /// 2 append and 3 subtract (list settings only). `defaults` gives the current value of
    /// a list setting the topic does not set.
    mutating func edit(
        operation: Int8, name: String, value: String?, defaults: LogConfig
    ) throws(TopicConfigEditError) {
        switch operation {
        case 0:
            guard let value else { throw .invalidRequest("SET \(name) needs a value") }
            if Self.durabilityNames.contains(name) { for alias in Self.durabilityNames { values[alias] = nil } }
            values[name] = value
        case 1:
            if Self.durabilityNames.contains(name) {
                for alias in Self.durabilityNames { values[alias] = nil }
            } else {
                values[name] = nil
            }
        case 2, 3:
            guard Self.listNames.contains(name) else {
                throw .invalidConfig("\(name) is not a list setting: APPEND and SUBTRACT apply only to \(Self.listNames.sorted())")
            }
            guard let value else { throw .invalidRequest("\(operation == 2 ? "APPEND" : "SUBTRACT") \(name) needs a value") }
            let current = values[name] ?? TopicSettings.describe(defaults).first { $0.name == name }?.value ?? ""
            var items = current.split(separator: ",").map { String($0).trimmed }.filter { !$0.isEmpty }
            let changes = value.split(separator: ",").map { String($0).trimmed }.filter { !$0.isEmpty }
            if operation == 2 {
                for item in changes where !items.contains(item) { items.append(item) }
            } else {
                items.removeAll { changes.contains($0) }
            }
            values[name] = items.joined(separator: ",")
        default:
            throw .invalidRequest("unknown config operation \(operation)")
        }
    }

    /// The log settings these overrides give over `defaults`.
    ///
    /// - Throws: ``TopicSettingsError`` for an unknown name or a bad value.
    func logConfig(defaults: LogConfig, replicated: Bool) throws(TopicSettingsError) -> LogConfig {
        try TopicSettings.apply(durabilityResolved.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                                to: defaults, replicated: replicated)
    }

    /// The values with at most one durability name, so the order they are applied in
    /// does not matter. A client re-sending every setting DescribeConfigs listed as set
    /// (kafka-python does when it falls back to AlterConfigs) sends all three:
    /// `basalt.durability` wins; of `flush.messages` and `flush.ms`, the stricter one, as
    /// in Kafka (`flush.messages=1` syncs every append whatever `flush.ms` says).
    var durabilityResolved: [String: String] {
        var values = self.values
        let never = String(Int64.max)
        if values["basalt.durability"] != nil {
            values["flush.messages"] = nil
            values["flush.ms"] = nil
        } else if let messages = values["flush.messages"], let milliseconds = values["flush.ms"] {
            if messages == "1" || milliseconds == never {
                values["flush.ms"] = nil
            } else {
                values["flush.messages"] = nil
            }
        }
        return values
    }
}

/// Why an IncrementalAlterConfigs operation was refused.
enum TopicConfigEditError: Error, Equatable {
    /// Kafka's INVALID_CONFIG.
    case invalidConfig(String)
    /// Kafka's INVALID_REQUEST.
    case invalidRequest(String)
}

extension String {
    /// Without leading and trailing spaces.
    fileprivate var trimmed: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
