import NIOCore

/// DescribeCluster response (key 60), versions 0–1 (flexible in every version).
///
/// ```
/// throttle_time_ms               int32
/// error_code                     int16
/// error_message                  string?
/// endpoint_type                  int8     v1+
/// cluster_id                     string
/// controller_id                  int32
/// brokers                        [] { broker_id int32, host string, port int32, rack string? }
/// cluster_authorized_operations  int32    (−2^31 = not requested)
/// tagged fields                           (also after each broker)
/// ```
public struct DescribeClusterResponse: Sendable, Equatable {
    /// One broker of the cluster.
    public struct Broker: Sendable, Equatable, KafkaCodable {
        /// Broker (node) id.
        public var brokerId: Int32
        /// Advertised host.
        public var host: String
        /// Advertised port.
        public var port: Int32
        /// Rack, or `nil`.
        public var rack: String?

        /// Creates a broker entry.
        public init(brokerId: Int32, host: String, port: Int32, rack: String? = nil) {
            self.brokerId = brokerId
            self.host = host
            self.port = port
            self.rack = rack
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            brokerId = try buffer.readKafkaInt32()
            host = try buffer.readKafkaString(compact: true)
            port = try buffer.readKafkaInt32()
            rack = try buffer.readKafkaNullableString(compact: true)
            try buffer.skipKafkaTaggedFields()
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt32(brokerId)
            try buffer.writeKafkaString(host, compact: true)
            buffer.writeKafkaInt32(port)
            try buffer.writeKafkaNullableString(rack, compact: true)
            buffer.writeKafkaEmptyTaggedFields()
        }
    }

    /// Throttle time.
    public var throttleTimeMs: Int32
    /// Top-level error.
    public var errorCode: KafkaErrorCode
    /// Top-level error message, or `nil`.
    public var errorMessage: String?
    /// What was described (v1+; 1 = brokers before).
    public var endpointType: Int8
    /// Cluster id.
    public var clusterId: String
    /// Controller's broker id, or −1.
    public var controllerId: Int32
    /// The brokers.
    public var brokers: [Broker]
    /// Authorized operations bit field (`Int32.min` = not requested).
    public var clusterAuthorizedOperations: Int32

    /// Creates a response.
    public init(
        throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .noError, errorMessage: String? = nil,
        endpointType: Int8 = 1, clusterId: String, controllerId: Int32, brokers: [Broker],
        clusterAuthorizedOperations: Int32 = Int32.min
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.endpointType = endpointType
        self.clusterId = clusterId
        self.controllerId = controllerId
        self.brokers = brokers
        self.clusterAuthorizedOperations = clusterAuthorizedOperations
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.describeCluster.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeCluster, version: version, correlationId: 0)
        }
        throttleTimeMs = try buffer.readKafkaInt32()
        errorCode = try buffer.readKafkaErrorCode()
        errorMessage = try buffer.readKafkaNullableString(compact: true)
        endpointType = version >= 1 ? try buffer.readKafkaInt8() : 1
        clusterId = try buffer.readKafkaString(compact: true)
        controllerId = try buffer.readKafkaInt32()
        brokers = try buffer.readKafkaArray(version: version, compact: true)
        clusterAuthorizedOperations = try buffer.readKafkaInt32()
        try buffer.skipKafkaTaggedFields()
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.describeCluster.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeCluster, version: version)
        }
        buffer.writeKafkaInt32(throttleTimeMs)
        buffer.writeKafkaErrorCode(errorCode)
        try buffer.writeKafkaNullableString(errorMessage, compact: true)
        if version >= 1 {
            buffer.writeKafkaInt8(endpointType)
        }
        try buffer.writeKafkaString(clusterId, compact: true)
        buffer.writeKafkaInt32(controllerId)
        try buffer.writeKafkaArray(brokers, version: version, compact: true)
        buffer.writeKafkaInt32(clusterAuthorizedOperations)
        buffer.writeKafkaEmptyTaggedFields()
    }
}
