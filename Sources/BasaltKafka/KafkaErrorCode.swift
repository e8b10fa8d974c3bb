import NIOCore

/// A Kafka protocol error code (kafka-compat.md §3.3).
///
/// This is a struct with named constants rather than a closed enum so that a response carrying
/// a code this module does not name still decodes (and re-encodes) unchanged.
public struct KafkaErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The wire value.
    public var rawValue: Int16

    /// Wraps a wire value.
    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    /// UNKNOWN_SERVER_ERROR (−1).
    public static let unknownServerError = KafkaErrorCode(rawValue: -1)
    /// NONE (0): success. Named `noError` so it never collides with `Optional.none`.
    public static let noError = KafkaErrorCode(rawValue: 0)
    /// OFFSET_OUT_OF_RANGE (1).
    public static let offsetOutOfRange = KafkaErrorCode(rawValue: 1)
    /// CORRUPT_MESSAGE (2).
    public static let corruptMessage = KafkaErrorCode(rawValue: 2)
    /// UNKNOWN_TOPIC_OR_PARTITION (3).
    public static let unknownTopicOrPartition = KafkaErrorCode(rawValue: 3)
    /// LEADER_NOT_AVAILABLE (5).
    public static let leaderNotAvailable = KafkaErrorCode(rawValue: 5)
    /// NOT_LEADER_OR_FOLLOWER (6).
    public static let notLeaderOrFollower = KafkaErrorCode(rawValue: 6)
    /// REQUEST_TIMED_OUT (7).
    public static let requestTimedOut = KafkaErrorCode(rawValue: 7)
    /// MESSAGE_TOO_LARGE (10).
    public static let messageTooLarge = KafkaErrorCode(rawValue: 10)
    /// COORDINATOR_LOAD_IN_PROGRESS (14).
    public static let coordinatorLoadInProgress = KafkaErrorCode(rawValue: 14)
    /// COORDINATOR_NOT_AVAILABLE (15).
    public static let coordinatorNotAvailable = KafkaErrorCode(rawValue: 15)
    /// NOT_COORDINATOR (16).
    public static let notCoordinator = KafkaErrorCode(rawValue: 16)
    /// INVALID_TOPIC_EXCEPTION (17).
    public static let invalidTopic = KafkaErrorCode(rawValue: 17)
    /// RECORD_LIST_TOO_LARGE (18).
    public static let recordListTooLarge = KafkaErrorCode(rawValue: 18)
    /// NOT_ENOUGH_REPLICAS (19).
    public static let notEnoughReplicas = KafkaErrorCode(rawValue: 19)
    /// NOT_ENOUGH_REPLICAS_AFTER_APPEND (20).
    public static let notEnoughReplicasAfterAppend = KafkaErrorCode(rawValue: 20)
    /// INVALID_REQUIRED_ACKS (21).
    public static let invalidRequiredAcks = KafkaErrorCode(rawValue: 21)
    /// ILLEGAL_GENERATION (22).
    public static let illegalGeneration = KafkaErrorCode(rawValue: 22)
    /// INCONSISTENT_GROUP_PROTOCOL (23).
    public static let inconsistentGroupProtocol = KafkaErrorCode(rawValue: 23)
    /// INVALID_GROUP_ID (24).
    public static let invalidGroupId = KafkaErrorCode(rawValue: 24)
    /// UNKNOWN_MEMBER_ID (25).
    public static let unknownMemberId = KafkaErrorCode(rawValue: 25)
    /// INVALID_SESSION_TIMEOUT (26).
    public static let invalidSessionTimeout = KafkaErrorCode(rawValue: 26)
    /// REBALANCE_IN_PROGRESS (27).
    public static let rebalanceInProgress = KafkaErrorCode(rawValue: 27)
    /// INVALID_COMMIT_OFFSET_SIZE (28).
    public static let invalidCommitOffsetSize = KafkaErrorCode(rawValue: 28)
    /// GROUP_AUTHORIZATION_FAILED (30).
    public static let groupAuthorizationFailed = KafkaErrorCode(rawValue: 30)
    /// UNSUPPORTED_VERSION (35).
    public static let unsupportedVersion = KafkaErrorCode(rawValue: 35)
    /// TOPIC_ALREADY_EXISTS (36).
    public static let topicAlreadyExists = KafkaErrorCode(rawValue: 36)
    /// INVALID_PARTITIONS (37).
    public static let invalidPartitions = KafkaErrorCode(rawValue: 37)
    /// INVALID_REPLICATION_FACTOR (38).
    public static let invalidReplicationFactor = KafkaErrorCode(rawValue: 38)
    /// INVALID_REPLICA_ASSIGNMENT (39).
    public static let invalidReplicaAssignment = KafkaErrorCode(rawValue: 39)
    /// INVALID_CONFIG (40).
    public static let invalidConfig = KafkaErrorCode(rawValue: 40)
    /// NOT_CONTROLLER (41).
    public static let notController = KafkaErrorCode(rawValue: 41)
    /// INVALID_REQUEST (42).
    public static let invalidRequest = KafkaErrorCode(rawValue: 42)
    /// UNSUPPORTED_FOR_MESSAGE_FORMAT (43).
    public static let unsupportedForMessageFormat = KafkaErrorCode(rawValue: 43)
    /// OUT_OF_ORDER_SEQUENCE_NUMBER (45).
    public static let outOfOrderSequenceNumber = KafkaErrorCode(rawValue: 45)
    /// DUPLICATE_SEQUENCE_NUMBER (46).
    public static let duplicateSequenceNumber = KafkaErrorCode(rawValue: 46)
    /// INVALID_PRODUCER_EPOCH (47).
    public static let invalidProducerEpoch = KafkaErrorCode(rawValue: 47)
    /// INVALID_TXN_STATE (48).
    public static let invalidTxnState = KafkaErrorCode(rawValue: 48)
    /// INVALID_PRODUCER_ID_MAPPING (49).
    public static let invalidProducerIdMapping = KafkaErrorCode(rawValue: 49)
    /// CONCURRENT_TRANSACTIONS (51).
    public static let concurrentTransactions = KafkaErrorCode(rawValue: 51)
    /// KAFKA_STORAGE_ERROR (56).
    public static let kafkaStorageError = KafkaErrorCode(rawValue: 56)
    /// UNKNOWN_PRODUCER_ID (59).
    public static let unknownProducerId = KafkaErrorCode(rawValue: 59)
    /// FETCH_SESSION_ID_NOT_FOUND (70).
    public static let fetchSessionIdNotFound = KafkaErrorCode(rawValue: 70)
    /// INVALID_FETCH_SESSION_EPOCH (71).
    public static let invalidFetchSessionEpoch = KafkaErrorCode(rawValue: 71)
    /// TOPIC_DELETION_DISABLED (73).
    public static let topicDeletionDisabled = KafkaErrorCode(rawValue: 73)
    /// FENCED_LEADER_EPOCH (74).
    public static let fencedLeaderEpoch = KafkaErrorCode(rawValue: 74)
    /// UNKNOWN_LEADER_EPOCH (75).
    public static let unknownLeaderEpoch = KafkaErrorCode(rawValue: 75)
    /// UNSUPPORTED_COMPRESSION_TYPE (76).
    public static let unsupportedCompressionType = KafkaErrorCode(rawValue: 76)
    /// OFFSET_NOT_AVAILABLE (78).
    public static let offsetNotAvailable = KafkaErrorCode(rawValue: 78)
    /// MEMBER_ID_REQUIRED (79).
    public static let memberIdRequired = KafkaErrorCode(rawValue: 79)
    /// FENCED_INSTANCE_ID (82).
    public static let fencedInstanceId = KafkaErrorCode(rawValue: 82)
    /// INVALID_RECORD (87).
    public static let invalidRecord = KafkaErrorCode(rawValue: 87)
    /// UNSTABLE_OFFSET_COMMIT (88).
    public static let unstableOffsetCommit = KafkaErrorCode(rawValue: 88)
    /// TOPIC_AUTHORIZATION_FAILED (29).
    public static let topicAuthorizationFailed = KafkaErrorCode(rawValue: 29)
    /// CLUSTER_AUTHORIZATION_FAILED (31).
    public static let clusterAuthorizationFailed = KafkaErrorCode(rawValue: 31)
    /// POLICY_VIOLATION (44): a request past a limit the broker sets.
    public static let policyViolation = KafkaErrorCode(rawValue: 44)
    /// SECURITY_DISABLED (54): an ACL API on a broker without an authorizer.
    public static let securityDisabled = KafkaErrorCode(rawValue: 54)

    /// The numeric code, e.g. `"35"`.
    public var description: String {
        String(rawValue)
    }
}

extension ByteBuffer {
    /// Reads an `int16` error code.
    public mutating func readKafkaErrorCode() throws(KafkaProtocolError) -> KafkaErrorCode {
        KafkaErrorCode(rawValue: try readKafkaInt16())
    }

    /// Writes an `int16` error code.
    public mutating func writeKafkaErrorCode(_ code: KafkaErrorCode) {
        writeKafkaInt16(code.rawValue)
    }
}
