import Basalt
import Foundation
import Testing
@testable import BasaltBroker

/// The dynamic configs of a topic: derived from its settings on a single node, edited by
/// IncrementalAlterConfigs' four operations, turned back into settings.
@Suite struct TopicConfigOverridesTests {
    static let defaults = BrokerConfiguration.brokerDefaultTopicConfig

    @Test func derivedOverridesAreTheSettingsThatDifferFromTheDefaults() throws {
        #expect(TopicConfigOverrides(derivedFrom: Self.defaults, defaults: Self.defaults).values.isEmpty)
        var config = Self.defaults
        config.retentionMs = 60_000
        config.durability = .everyAppend
        let overrides = TopicConfigOverrides(derivedFrom: config, defaults: Self.defaults)
        #expect(overrides.values == ["retention.ms": "60000", "basalt.durability": "every-append"])
        #expect(overrides.isSet("flush.ms") && overrides.isSet("flush.messages") && overrides.isSet("retention.ms"))
        #expect(!overrides.isSet("segment.bytes"))
        #expect(try overrides.logConfig(defaults: Self.defaults, replicated: false) == config)
    }

    /// All three durability names at once, as a client re-sending what DescribeConfigs
    /// listed sends them: the result does not depend on their order.
    @Test func durabilityNamesTogether() throws {
        let never = String(Int64.max)
        let cases: [([String: String], Durability)] = [
            (["basalt.durability": "every-append", "flush.messages": "1", "flush.ms": never], .everyAppend),
            (["basalt.durability": "interval:250", "flush.messages": never, "flush.ms": "250"], .interval(milliseconds: 250)),
            (["basalt.durability": "os", "flush.messages": never, "flush.ms": never], .os),
            (["flush.messages": "1", "flush.ms": never], .everyAppend),
            (["flush.messages": "1", "flush.ms": "250"], .everyAppend),
            (["flush.messages": never, "flush.ms": "250"], .interval(milliseconds: 250)),
            (["flush.messages": never, "flush.ms": never], .os),
        ]
        for (values, durability) in cases {
            #expect(try TopicConfigOverrides(values).logConfig(defaults: Self.defaults, replicated: false).durability == durability,
                    "\(values)")
        }
    }

    @Test func setDeleteAppendSubtract() throws {
        var overrides = TopicConfigOverrides(["retention.ms": "1000", "basalt.durability": "os"])
        try overrides.edit(operation: 0, name: "flush.ms", value: "250", defaults: Self.defaults)
        #expect(overrides.values == ["retention.ms": "1000", "flush.ms": "250"])
        try overrides.edit(operation: 1, name: "flush.messages", value: nil, defaults: Self.defaults)
        try overrides.edit(operation: 1, name: "retention.ms", value: nil, defaults: Self.defaults)
        try overrides.edit(operation: 1, name: "segment.ms", value: nil, defaults: Self.defaults)
        #expect(overrides.values.isEmpty)
        try overrides.edit(operation: 2, name: "cleanup.policy", value: "delete, compact", defaults: Self.defaults)
        #expect(overrides.values == ["cleanup.policy": "delete,compact"])
        try overrides.edit(operation: 3, name: "cleanup.policy", value: "compact", defaults: Self.defaults)
        #expect(overrides.values == ["cleanup.policy": "delete"])
        #expect(throws: TopicConfigEditError.self) {
            try overrides.edit(operation: 2, name: "retention.ms", value: "5", defaults: Self.defaults)
        }
        #expect(throws: TopicConfigEditError.self) { try overrides.edit(operation: 0, name: "retention.ms", value: nil, defaults: Self.defaults) }
        #expect(throws: TopicConfigEditError.self) { try overrides.edit(operation: 4, name: "retention.ms", value: "1", defaults: Self.defaults) }
        // An empty list is no policy at all: the settings refuse it.
        try overrides.edit(operation: 3, name: "cleanup.policy", value: "delete", defaults: Self.defaults)
        #expect(throws: TopicSettingsError.self) { try overrides.logConfig(defaults: Self.defaults, replicated: false) }
    }

    @Test func dynamicBrokerSettingsMapToTopicDefaults() throws {
        let directory = NSTemporaryDirectory() + "basalt-dynamic-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let settings = try BrokerDynamicSettings(directory: directory, staticDefaults: Self.defaults)
        #expect(settings.current.values.isEmpty && settings.current.topicDefaults == Self.defaults)
        let next = try settings.validate(["log.retention.ms": "1000", "message.max.bytes": "2000"])
        #expect(next.topicDefaults.retentionMs == 1000 && next.topicDefaults.maxMessageBytes == 2000)
        #expect(throws: TopicSettingsError.self) { try settings.validate(["retention.ms": "1000"]) }
        #expect(throws: TopicSettingsError.self) { try settings.validate(["log.segment.bytes": "1"]) }
        let previous = try settings.replace(with: next)
        #expect(previous.values.isEmpty)
        let reread = try BrokerDynamicSettings(directory: directory, staticDefaults: Self.defaults)
        #expect(reread.current == next)
    }
}
