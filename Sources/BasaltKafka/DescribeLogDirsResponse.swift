import NIOCore

/// DescribeLogDirs response (key 35), versions 0–4 (flexible from v2).
///
/// ```
/// throttle_time_ms  int32
/// error_code        int16  v3+
/// results           [] { error_code int16, log_dir string,
///                        topics [] { name string,
///                                    partitions [] { partition_index int32, partition_size int64,
///                                                    offset_lag int64, is_future_key bool } },
///                        total_bytes int64 v4+, usable_bytes int64 v4+ }
/// ```
public struct DescribeLogDirsResponse: Sendable, Equatable {
    /// One partition's replica in a log directory.
    public struct Partition: Sendable, Equatable, KafkaCodable {
        /// Partition number.
        public var partitionIndex: Int32
        /// Bytes of its segments.
        public var partitionSize: Int64
        /// How far its log end is behind the high watermark.
        public var offsetLag: Int64
        /// Whether it is a future replica (moving between directories).
        public var isFutureKey: Bool

        /// Creates a partition entry.
        public init(partitionIndex: Int32, partitionSize: Int64, offsetLag: Int64 = 0, isFutureKey: Bool = false) {
            self.partitionIndex = partitionIndex
            self.partitionSize = partitionSize
            self.offsetLag = offsetLag
            self.isFutureKey = isFutureKey
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readKafkaInt32()
            partitionSize = try buffer.readKafkaInt64()
            offsetLag = try buffer.readKafkaInt64()
            isFutureKey = try buffer.readKafkaBool()
            if ApiKey.describeLogDirs.isFlexible(version) { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            buffer.writeKafkaInt32(partitionIndex)
            buffer.writeKafkaInt64(partitionSize)
            buffer.writeKafkaInt64(offsetLag)
            buffer.writeKafkaBool(isFutureKey)
            if ApiKey.describeLogDirs.isFlexible(version) { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// One topic's partitions in a log directory.
    public struct Topic: Sendable, Equatable, KafkaCodable {
        /// Topic name.
        public var name: String
        /// Its partitions.
        public var partitions: [Partition]

        /// Creates a topic entry.
        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.describeLogDirs.isFlexible(version)
            name = try buffer.readKafkaString(compact: flexible)
            partitions = try buffer.readKafkaArray(version: version, compact: flexible)
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.describeLogDirs.isFlexible(version)
            try buffer.writeKafkaString(name, compact: flexible)
            try buffer.writeKafkaArray(partitions, version: version, compact: flexible)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// One log directory.
    public struct Result: Sendable, Equatable, KafkaCodable {
        /// The directory's error, or none.
        public var errorCode: KafkaErrorCode
        /// Absolute path of the directory.
        public var logDir: String
        /// The partitions it holds.
        public var topics: [Topic]
        /// Size of its volume (v4+; −1 before).
        public var totalBytes: Int64
        /// Bytes still usable on its volume (v4+; −1 before).
        public var usableBytes: Int64

        /// Creates a result.
        public init(
            errorCode: KafkaErrorCode = .noError, logDir: String, topics: [Topic], totalBytes: Int64 = -1,
            usableBytes: Int64 = -1
        ) {
            self.errorCode = errorCode
            self.logDir = logDir
            self.topics = topics
            self.totalBytes = totalBytes
            self.usableBytes = usableBytes
        }

        init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            let flexible = ApiKey.describeLogDirs.isFlexible(version)
            errorCode = try buffer.readKafkaErrorCode()
            logDir = try buffer.readKafkaString(compact: flexible)
            topics = try buffer.readKafkaArray(version: version, compact: flexible)
            totalBytes = version >= 4 ? try buffer.readKafkaInt64() : -1
            usableBytes = version >= 4 ? try buffer.readKafkaInt64() : -1
            if flexible { try buffer.skipKafkaTaggedFields() }
        }

        func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
            let flexible = ApiKey.describeLogDirs.isFlexible(version)
            buffer.writeKafkaErrorCode(errorCode)
            try buffer.writeKafkaString(logDir, compact: flexible)
            try buffer.writeKafkaArray(topics, version: version, compact: flexible)
            if version >= 4 {
                buffer.writeKafkaInt64(totalBytes)
                buffer.writeKafkaInt64(usableBytes)
            }
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }

    /// Throttle time.
    public var throttleTimeMs: Int32
    /// Top-level error (v3+; none before).
    public var errorCode: KafkaErrorCode
    /// The log directories.
    public var results: [Result]

    /// Creates a response.
    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .noError, results: [Result]) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.results = results
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.describeLogDirs.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeLogDirs, version: version, correlationId: 0)
        }
        let flexible = ApiKey.describeLogDirs.isFlexible(version)
        throttleTimeMs = try buffer.readKafkaInt32()
        errorCode = version >= 3 ? try buffer.readKafkaErrorCode() : .noError
        results = try buffer.readKafkaArray(version: version, compact: flexible)
        if flexible { try buffer.skipKafkaTaggedFields() }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.describeLogDirs.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .describeLogDirs, version: version)
        }
        let flexible = ApiKey.describeLogDirs.isFlexible(version)
        buffer.writeKafkaInt32(throttleTimeMs)
        if version >= 3 { buffer.writeKafkaErrorCode(errorCode) }
        try buffer.writeKafkaArray(results, version: version, compact: flexible)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
