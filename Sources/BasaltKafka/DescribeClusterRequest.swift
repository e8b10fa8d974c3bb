import NIOCore

/// DescribeCluster request (key 60), versions 0–1 (flexible in every version).
///
/// ```
/// include_cluster_authorized_operations  bool
/// endpoint_type                          int8  v1+  (1 = brokers, 2 = controllers)
/// tagged fields
/// ```
public struct DescribeClusterRequest: Sendable, Equatable {
    /// Whether to report the cluster's authorized operations.
    public var includeClusterAuthorizedOperations: Bool
    /// What to describe (v1+; 1 = brokers before).
    public var endpointType: Int8

    /// Creates a request.
    public init(includeClusterAuthorizedOperations: Bool = false, endpointType: Int8 = 1) {
        self.includeClusterAuthorizedOperations = includeClusterAuthorizedOperations
        self.endpointType = endpointType
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.describeCluster.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeCluster, version: version, correlationId: 0)
        }
        includeClusterAuthorizedOperations = try buffer.readKafkaBool()
        endpointType = version >= 1 ? try buffer.readKafkaInt8() : 1
        try buffer.skipKafkaTaggedFields()
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.describeCluster.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeCluster, version: version)
        }
        buffer.writeKafkaBool(includeClusterAuthorizedOperations)
        if version >= 1 {
            buffer.writeKafkaInt8(endpointType)
        }
        buffer.writeKafkaEmptyTaggedFields()
    }
}
