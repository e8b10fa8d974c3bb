import Basalt
import BasaltKafka

extension BasaltError {
    /// The Kafka error code a client should see for this storage error.
    var kafkaErrorCode: KafkaErrorCode {
        switch self {
        case .crcMismatch, .corruptCompressedData, .corruptMessage: .corruptMessage
        case .invalidBatch: .invalidRecord
        case .unsupportedCompression: .unsupportedCompressionType
        case .messageTooLarge: .messageTooLarge
        case .offsetOutOfRange: .offsetOutOfRange
        case .unknownTopic, .unknownPartition: .unknownTopicOrPartition
        case .invalidName: .invalidTopic
        case .topicExists: .topicAlreadyExists
        case .invalidConfiguration: .invalidConfig
        case .corruptLog, .corruptIndex, .io, .flushFailed: .kafkaStorageError
        case .closed, .storeLocked: .notLeaderOrFollower
        }
    }
}
