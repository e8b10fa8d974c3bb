import NIOCore

/// DeleteTopics request (key 20), versions 0–3 (non-flexible).
///
/// ```
/// topic_names  []string
/// timeout_ms   int32
/// ```
public struct DeleteTopicsRequest: Sendable, Equatable {
    /// Topics to delete.
    public var topicNames: [String]
    /// How long to wait for deletion.
    public var timeoutMs: Int32

    /// Creates a request.
    public init(topicNames: [String], timeoutMs: Int32) {
        self.topicNames = topicNames
        self.timeoutMs = timeoutMs
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.deleteTopics.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .deleteTopics, version: version, correlationId: 0)
        }
        topicNames = try buffer.readKafkaStringArray()
        timeoutMs = try buffer.readKafkaInt32()
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.deleteTopics.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .deleteTopics, version: version)
        }
        try buffer.writeKafkaStringArray(topicNames)
        buffer.writeKafkaInt32(timeoutMs)
    }
}
