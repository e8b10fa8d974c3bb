import Foundation

/// The cluster id clients see in Metadata: 22 characters of URL-safe base64 of a random
/// UUID, like Kafka's, created once and kept in `broker/cluster-id`.
enum ClusterIdentity {
    static func loadOrCreate(directory: String) throws -> String {
        let path = directory + "/cluster-id"
        if let data = FileManager.default.contents(atPath: path),
           let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty {
            return text
        }
        let uuid = UUID().uuid
        let bytes = withUnsafeBytes(of: uuid) { Data($0) }
        let id = String(bytes.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").prefix(22))
        try DurableFile.write(id, to: path)
        return id
    }
}
