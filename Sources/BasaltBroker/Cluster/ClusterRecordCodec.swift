import Foundation

/// Reads and writes the JSON values of cluster keys.
///
/// Values come from etcd, written by any broker of the cluster (or by hand), so they are
/// checked like bytes from a socket: a size limit before parsing, then each record's own
/// validation; a bad value is a typed error naming the key, never a trap.
enum ClusterRecordCodec {
    /// Largest value accepted. Topic records of 10,000 partitions × 64 replicas fit.
    static let maxValueBytes = 4 << 20

    static func encode<Value: Encodable>(_ value: Value) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return Array(try encoder.encode(value))
        } catch {
            // Plain structs of integers, strings and arrays always encode; an empty value
            // written to etcd instead would be a silent default every broker then rejects.
            preconditionFailure("encoding a cluster record failed: \(error)")
        }
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8], key: String) throws(ClusterRecordError) -> Value {
        guard bytes.count <= maxValueBytes else { throw .malformed(key: key, reason: "\(bytes.count) bytes exceeds \(maxValueBytes)") }
        do {
            return try JSONDecoder().decode(Value.self, from: Data(bytes))
        } catch {
            throw .malformed(key: key, reason: "\(error)")
        }
    }
}

/// A cluster key whose value cannot be used.
enum ClusterRecordError: Error, Equatable, CustomStringConvertible {
    case malformed(key: String, reason: String)

    var description: String {
        switch self {
        case .malformed(let key, let reason): "etcd value of \(key) is malformed: \(reason)"
        }
    }
}
