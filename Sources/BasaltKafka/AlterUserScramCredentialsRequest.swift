import NIOCore

/// AlterUserScramCredentials request (key 51), version 0 (flexible; KIP-554).
///
/// ```
/// deletions   []{ name compact_string, mechanism int8, tagged }
/// upsertions  []{ name compact_string, mechanism int8, iterations int32,
///                 salt compact_bytes, salted_password compact_bytes, tagged }
/// tagged fields
/// ```
///
/// The client salts the password itself (PBKDF2 with its salt and iterations), so the
/// password never reaches the broker.
public struct AlterUserScramCredentialsRequest: Sendable, Equatable {
    /// A credential to remove.
    public struct Deletion: Sendable, Equatable {
        /// The user name.
        public var name: String
        /// 1 = SCRAM-SHA-256, 2 = SCRAM-SHA-512.
        public var mechanism: Int8

        /// Creates a deletion.
        public init(name: String, mechanism: Int8) {
            self.name = name
            self.mechanism = mechanism
        }
    }

    /// A credential to create or replace.
    public struct Upsertion: Sendable, Equatable {
        /// The user name.
        public var name: String
        /// 1 = SCRAM-SHA-256, 2 = SCRAM-SHA-512.
        public var mechanism: Int8
        /// PBKDF2 iterations.
        public var iterations: Int32
        /// The salt the client chose.
        public var salt: ByteBuffer
        /// PBKDF2(password, salt, iterations).
        public var saltedPassword: ByteBuffer

        /// Creates an upsertion.
        public init(name: String, mechanism: Int8, iterations: Int32, salt: ByteBuffer, saltedPassword: ByteBuffer) {
            self.name = name
            self.mechanism = mechanism
            self.iterations = iterations
            self.salt = salt
            self.saltedPassword = saltedPassword
        }
    }

    /// Credentials to remove.
    public var deletions: [Deletion]
    /// Credentials to create or replace.
    public var upsertions: [Upsertion]

    /// Creates a request.
    public init(deletions: [Deletion], upsertions: [Upsertion]) {
        self.deletions = deletions
        self.upsertions = upsertions
    }

    /// Decodes the body of the given version.
    public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard ApiKey.alterUserScramCredentials.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .alterUserScramCredentials, version: version, correlationId: 0)
        }
        deletions = try buffer.readKafkaArray(compact: true) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            let deletion = Deletion(name: try buffer.readKafkaString(compact: true), mechanism: try buffer.readKafkaInt8())
            try buffer.skipKafkaTaggedFields()
            return deletion
        }
        upsertions = try buffer.readKafkaArray(compact: true) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            let upsertion = Upsertion(
                name: try buffer.readKafkaString(compact: true), mechanism: try buffer.readKafkaInt8(),
                iterations: try buffer.readKafkaInt32(), salt: try buffer.readKafkaBytes(compact: true),
                saltedPassword: try buffer.readKafkaBytes(compact: true))
            try buffer.skipKafkaTaggedFields()
            return upsertion
        }
        try buffer.skipKafkaTaggedFields()
        // librdkafka (2.2–2.16 at least) writes the request's empty tagged-field section
        // twice; Kafka ignores bytes after the body. Accept exactly that one extra byte.
        if buffer.readableBytes == 1, buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == 0 {
            buffer.moveReaderIndex(forwardBy: 1)
        }
    }

    /// Encodes the body in the given version.
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaEncodingError) {
        guard ApiKey.alterUserScramCredentials.supportedVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: .alterUserScramCredentials, version: version)
        }
        try buffer.writeKafkaArray(deletions, compact: true) { (buffer: inout ByteBuffer, deletion: Deletion) throws(KafkaEncodingError) in
            try buffer.writeKafkaString(deletion.name, compact: true)
            buffer.writeKafkaInt8(deletion.mechanism)
            buffer.writeKafkaEmptyTaggedFields()
        }
        try buffer.writeKafkaArray(upsertions, compact: true) { (buffer: inout ByteBuffer, upsertion: Upsertion) throws(KafkaEncodingError) in
            try buffer.writeKafkaString(upsertion.name, compact: true)
            buffer.writeKafkaInt8(upsertion.mechanism)
            buffer.writeKafkaInt32(upsertion.iterations)
            try buffer.writeKafkaBytes(upsertion.salt, compact: true)
            try buffer.writeKafkaBytes(upsertion.saltedPassword, compact: true)
            buffer.writeKafkaEmptyTaggedFields()
        }
        buffer.writeKafkaEmptyTaggedFields()
    }
}
