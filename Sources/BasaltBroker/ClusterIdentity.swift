import Basalt
import Foundation

/// The cluster id clients see in Metadata: 22 characters of URL-safe base64 of a random
/// UUID, like Kafka's, created once and kept in `broker/cluster-id`.
enum ClusterIdentity {
    static let fileName = "cluster-id"
    /// The longest id accepted from the file. Kafka's are 22 characters; a few more
    /// allow an id chosen by hand, and the bound keeps a damaged file out of every
    /// Metadata response.
    static let maxLength = 64

    /// The id in `directory/cluster-id`, or a new one written there when the file is
    /// absent.
    ///
    /// - Throws: ``BrokerStateFileError`` when the file exists but is not 1...64
    ///   characters of URL-safe base64 (`A-Z a-z 0-9 - _`, surrounding whitespace
    ///   ignored); ``BasaltError/io(operation:path:errno:)``.
    static func loadOrCreate(directory: String) throws -> String {
        let path = directory + "/" + fileName
        let remedy = "Restore it from a backup, or write the cluster id the clients know into it (the broker logs it "
            + "at every start). Removing it makes the broker create a new id, which clients that cached the old one refuse."
        let bytes: [UInt8]?
        do {
            // Room for the id and some whitespace around it.
            bytes = try AtomicFile.read(path, maxBytes: maxLength + 64)
        } catch BasaltError.corruptLog(_, _, let reason) {
            throw BrokerStateFileError(path: path, reason: reason, remedy: remedy)
        }
        if let bytes {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw BrokerStateFileError(path: path, reason: "not UTF-8 text", remedy: remedy)
            }
            let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard isValid(id) else {
                throw BrokerStateFileError(
                    path: path, reason: "\(id.utf8.count) bytes that are not 1...\(maxLength) characters of URL-safe base64",
                    remedy: remedy)
            }
            return id
        }
        let uuid = UUID().uuid
        let uuidBytes = withUnsafeBytes(of: uuid) { Data($0) }
        let id = String(uuidBytes.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").prefix(22))
        try AtomicFile.replace(path, with: Array(id.utf8))
        return id
    }

    /// Whether `id` is 1...``maxLength`` characters of URL-safe base64.
    static func isValid(_ id: String) -> Bool {
        (1...maxLength).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): true
            default: false
            }
        }
    }
}
