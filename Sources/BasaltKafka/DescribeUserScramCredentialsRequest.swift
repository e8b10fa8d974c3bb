import NIOCore

/// DescribeUserScramCredentials request (key 50), version 0 (flexible; KIP-554).
///
/// ```
/// users  []{ name compact_string, tagged }?  (null or empty: every user)
/// tagged fields
/// ```
public struct DescribeUserScramCredentialsRequest: Sendable, Equatable {
    /// User names to describe; nil (or empty) for every user.
    public var users: [String]?

    /// Creates a request.
    public init(users: [String]?) {
        self.users = users
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.describeUserScramCredentials.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeUserScramCredentials, version: version, correlationId: 0)
        }
        users = try buffer.readKafkaNullableArray(compact: true) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            let name = try buffer.readKafkaString(compact: true)
            try buffer.skipKafkaTaggedFields()
            return name
        }
        try buffer.skipKafkaTaggedFields()
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.describeUserScramCredentials.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeUserScramCredentials, version: version)
        }
        try buffer.writeKafkaNullableArray(users, compact: true) { (buffer: inout ByteBuffer, name: String) throws(KafkaEncodingError) in
            try buffer.writeKafkaString(name, compact: true)
            buffer.writeKafkaEmptyTaggedFields()
        }
        buffer.writeKafkaEmptyTaggedFields()
    }
}
