import Basalt

/// Translates between Kafka's topic configuration names and ``LogConfig``.
///
/// Supported (others are rejected with INVALID_CONFIG on CreateTopics, so a client never
/// believes a setting took effect when it did not):
///
/// | Kafka name | LogConfig field |
/// |---|---|
/// | `retention.ms` | ``LogConfig/retentionMs`` |
/// | `retention.bytes` | ``LogConfig/retentionBytes`` |
/// | `segment.bytes` | ``LogConfig/segmentBytes`` |
/// | `segment.ms` | ``LogConfig/segmentMs`` |
/// | `segment.index.bytes` | ``LogConfig/maxIndexBytes`` |
/// | `index.interval.bytes` | ``LogConfig/indexIntervalBytes`` |
/// | `max.message.bytes` | ``LogConfig/maxMessageBytes`` |
/// | `flush.messages` | `1` = ``Durability/everyAppend``; larger values are accepted as the OS policy |
/// | `flush.ms` | ``Durability/interval(milliseconds:)``; Kafka's "never" (`9223372036854775807`) is the OS policy |
/// | `basalt.durability` | `every-append`, `interval:<ms>` or `os` |
/// | `cleanup.policy` | ``LogConfig/cleanupPolicy``: `delete`, `compact` or `compact,delete` |
/// | `min.cleanable.dirty.ratio` | ``LogConfig/minCleanableDirtyRatio`` |
/// | `min.compaction.lag.ms` | ``LogConfig/minCompactionLagMs`` |
/// | `max.compaction.lag.ms` | ``LogConfig/maxCompactionLagMs`` |
/// | `delete.retention.ms` | ``LogConfig/deleteRetentionMs`` |
///
/// Settings Kafka clients commonly pass that have only one possible value here
/// (`compression.type=producer`, `message.timestamp.type=CreateTime`,
/// `min.insync.replicas=1`) are accepted when they ask for that value.
public enum TopicSettings {
    /// Applies Kafka-named settings to `base`.
    ///
    /// - Throws: ``TopicSettingsError`` naming the first unknown name or bad value.
    ///
    /// With `replicated` (cluster mode), `min.insync.replicas` (a positive integer) and
    /// `unclean.leader.election.enable` (`true` or `false`) are accepted with any valid value;
    /// they shape replication (``ReplicationSettings``), not the log. A single node accepts
    /// only their defaults, which are the only values it can honour.
    public static func apply(
        _ settings: [(name: String, value: String?)], to base: LogConfig, replicated: Bool = false
    ) throws(TopicSettingsError) -> LogConfig {
        var config = base
        for (name, value) in settings {
            guard let value else { continue }
            func integer() throws(TopicSettingsError) -> Int64 {
                guard let number = Int64(value) else { throw .invalidValue(name: name, value: value) }
                return number
            }
            switch name {
            case "retention.ms": config.retentionMs = try integer()
            case "retention.bytes": config.retentionBytes = try integer()
            case "segment.bytes": config.segmentBytes = Int(try integer())
            case "segment.ms": config.segmentMs = try integer()
            case "segment.index.bytes": config.maxIndexBytes = Int(try integer())
            case "index.interval.bytes": config.indexIntervalBytes = Int(try integer())
            case "max.message.bytes": config.maxMessageBytes = Int(try integer())
            case "flush.messages":
                let count = try integer()
                guard count > 0 else { throw .invalidValue(name: name, value: value) }
                config.durability = count == 1 ? .everyAppend : .os
            case "flush.ms":
                let milliseconds = try integer()
                if milliseconds == Int64.max {
                    // Kafka's default: no time-based flush; the OS decides.
                    config.durability = .os
                    continue
                }
                guard milliseconds > 0, milliseconds <= Int64(Int32.max) else { throw .invalidValue(name: name, value: value) }
                config.durability = .interval(milliseconds: Int(milliseconds))
            case "basalt.durability":
                guard let durability = parseDurability(value) else { throw .invalidValue(name: name, value: value) }
                config.durability = durability
            case "min.insync.replicas" where replicated:
                guard let count = Int(value), count >= 1 else { throw .invalidValue(name: name, value: value) }
            case "unclean.leader.election.enable" where replicated:
                guard value == "true" || value == "false" else { throw .invalidValue(name: name, value: value) }
            case "cleanup.policy":
                guard let policy = CleanupPolicy(kafkaList: value) else { throw .invalidValue(name: name, value: value) }
                config.cleanupPolicy = policy
            case "min.cleanable.dirty.ratio":
                guard let ratio = Double(value), ratio >= 0, ratio <= 1 else { throw .invalidValue(name: name, value: value) }
                config.minCleanableDirtyRatio = ratio
            case "min.compaction.lag.ms": config.minCompactionLagMs = try integer()
            case "max.compaction.lag.ms": config.maxCompactionLagMs = try integer()
            case "delete.retention.ms": config.deleteRetentionMs = try integer()
            case "compression.type" where value == "producer",
                 "message.timestamp.type" where value == "CreateTime",
                 "min.insync.replicas" where value == "1",
                 "unclean.leader.election.enable" where value == "false":
                continue
            default:
                throw .unsupported(name: name, value: value)
            }
        }
        do {
            try config.validate()
        } catch {
            throw .invalidValue(name: "topic settings", value: "\(error)")
        }
        return config
    }

    /// Parses `every-append`, `interval:<ms>` or `os`.
    public static func parseDurability(_ text: String) -> Durability? {
        switch text {
        case "every-append", "everyAppend": return .everyAppend
        case "os": return .os
        default:
            guard text.hasPrefix("interval:"), let milliseconds = Int(text.dropFirst("interval:".count)),
                  milliseconds > 0 else { return nil }
            return .interval(milliseconds: milliseconds)
        }
    }

    /// The text ``parseDurability(_:)`` reads back.
    public static func describe(_ durability: Durability) -> String {
        switch durability {
        case .everyAppend: "every-append"
        case .interval(let milliseconds): "interval:\(milliseconds)"
        case .os: "os"
        }
    }

    /// A topic's settings under their Kafka names, for DescribeConfigs.
    public static func describe(_ config: LogConfig) -> [(name: String, value: String)] {
        var entries: [(String, String)] = [
            ("cleanup.policy", config.cleanupPolicy.rawValue),
            ("delete.retention.ms", String(config.deleteRetentionMs)),
            ("max.compaction.lag.ms", String(config.maxCompactionLagMs)),
            ("min.cleanable.dirty.ratio", String(config.minCleanableDirtyRatio)),
            ("min.compaction.lag.ms", String(config.minCompactionLagMs)),
            ("compression.type", "producer"),
            ("index.interval.bytes", String(config.indexIntervalBytes)),
            ("max.message.bytes", String(config.maxMessageBytes)),
            ("message.timestamp.type", "CreateTime"),
            ("min.insync.replicas", "1"),
            ("retention.bytes", String(config.retentionBytes)),
            ("retention.ms", String(config.retentionMs)),
            ("segment.bytes", String(config.segmentBytes)),
            ("segment.index.bytes", String(config.maxIndexBytes)),
            ("segment.ms", String(config.segmentMs)),
            ("basalt.durability", describe(config.durability)),
        ]
        // Both always listed (Kafka's "never" is Long.MAX_VALUE), so a client that checks a
        // name against DescribeConfigs before altering it finds either.
        let never = String(Int64.max)
        switch config.durability {
        case .everyAppend: entries += [("flush.messages", "1"), ("flush.ms", never)]
        case .interval(let milliseconds): entries += [("flush.messages", never), ("flush.ms", String(milliseconds))]
        case .os: entries += [("flush.messages", never), ("flush.ms", never)]
        }
        return entries.sorted { $0.0 < $1.0 }
    }
}

/// Why topic settings were refused.
public enum TopicSettingsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The name is not supported, or not with this value.
    case unsupported(name: String, value: String)
    /// The value is malformed or out of range.
    case invalidValue(name: String, value: String)

    public var description: String {
        switch self {
        case .unsupported(let name, let value): "unsupported topic setting \(name)=\(value)"
        case .invalidValue(let name, let value): "invalid value for \(name): \(value)"
        }
    }
}
