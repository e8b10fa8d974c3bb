extension LogConfig {
    /// Decodes a topic file's settings; a field the file lacks keeps its default, so topic
    /// files written before a setting existed (the compaction settings, for one) still load.
    /// A new field of ``LogConfig`` needs its line here.
    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: FieldName.self)
        func value<T: Decodable>(_ key: FieldName, _ current: T) throws -> T {
            try container.decodeIfPresent(T.self, forKey: key) ?? current
        }
        segmentBytes = try value(.segmentBytes, segmentBytes)
        segmentMs = try value(.segmentMs, segmentMs)
        indexIntervalBytes = try value(.indexIntervalBytes, indexIntervalBytes)
        maxIndexBytes = try value(.maxIndexBytes, maxIndexBytes)
        maxMessageBytes = try value(.maxMessageBytes, maxMessageBytes)
        retentionBytes = try value(.retentionBytes, retentionBytes)
        retentionMs = try value(.retentionMs, retentionMs)
        durability = try value(.durability, durability)
        cleanupPolicy = try value(.cleanupPolicy, cleanupPolicy)
        minCleanableDirtyRatio = try value(.minCleanableDirtyRatio, minCleanableDirtyRatio)
        minCompactionLagMs = try value(.minCompactionLagMs, minCompactionLagMs)
        maxCompactionLagMs = try value(.maxCompactionLagMs, maxCompactionLagMs)
        deleteRetentionMs = try value(.deleteRetentionMs, deleteRetentionMs)
    }
}

/// The JSON keys of ``LogConfig``: its property names, as the synthesized encoder writes them.
private struct FieldName: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }

    static let segmentBytes = FieldName(stringValue: "segmentBytes")
    static let segmentMs = FieldName(stringValue: "segmentMs")
    static let indexIntervalBytes = FieldName(stringValue: "indexIntervalBytes")
    static let maxIndexBytes = FieldName(stringValue: "maxIndexBytes")
    static let maxMessageBytes = FieldName(stringValue: "maxMessageBytes")
    static let retentionBytes = FieldName(stringValue: "retentionBytes")
    static let retentionMs = FieldName(stringValue: "retentionMs")
    static let durability = FieldName(stringValue: "durability")
    static let cleanupPolicy = FieldName(stringValue: "cleanupPolicy")
    static let minCleanableDirtyRatio = FieldName(stringValue: "minCleanableDirtyRatio")
    static let minCompactionLagMs = FieldName(stringValue: "minCompactionLagMs")
    static let maxCompactionLagMs = FieldName(stringValue: "maxCompactionLagMs")
    static let deleteRetentionMs = FieldName(stringValue: "deleteRetentionMs")
}
