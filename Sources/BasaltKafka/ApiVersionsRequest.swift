import NIOCore

/// ApiVersions request (key 18), versions 0–4.
///
/// v0–2 have an empty body. v3+ is flexible:
/// ```
/// client_software_name     compact string
/// client_software_version  compact string
/// tagged fields
/// ```
public struct ApiVersionsRequest: Sendable, Equatable {
    /// The client library's name, e.g. `"librdkafka"` (v3+; empty before).
    public var clientSoftwareName: String
    /// The client library's version, e.g. `"2.0.2"` (v3+; empty before).
    public var clientSoftwareVersion: String

    /// Creates a request.
    public init(clientSoftwareName: String = "", clientSoftwareVersion: String = "") {
        self.clientSoftwareName = clientSoftwareName
        self.clientSoftwareVersion = clientSoftwareVersion
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.apiVersions.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .apiVersions, version: version, correlationId: 0)
        }
        self.init()
        if version >= 3 {
            clientSoftwareName = try buffer.readKafkaString(compact: true)
            clientSoftwareVersion = try buffer.readKafkaString(compact: true)
            try buffer.skipKafkaTaggedFields()
        }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.apiVersions.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .apiVersions, version: version)
        }
        if version >= 3 {
            try buffer.writeKafkaString(clientSoftwareName, compact: true)
            try buffer.writeKafkaString(clientSoftwareVersion, compact: true)
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}
