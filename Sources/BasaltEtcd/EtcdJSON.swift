import Foundation

/// JSON encoding and decoding for gateway bodies, with errors turned into ``EtcdError``.
enum EtcdJSON {
    static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        // Encoding the wire structs cannot fail: they hold only strings, bools and Int64Value.
        // A failure would be a programmer error in EtcdWire, not something etcd can cause.
        do {
            return Array(try JSONEncoder().encode(value))
        } catch {
            preconditionFailure("encoding an etcd request failed: \(error)")
        }
    }

    /// Decodes `bytes` as `T`, or nil when they are not such JSON.
    static func decodeIfPossible<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) -> T? {
        try? JSONDecoder().decode(type, from: Data(bytes))
    }

    static func decode<T: Decodable>(
        _ type: T.Type, from bytes: some Collection<UInt8>, endpoint: EtcdEndpoint, operation: String
    ) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw EtcdError.malformedResponse(
                endpoint: endpoint.description, operation: operation, reason: "cannot decode \(T.self): \(error)")
        }
    }
}
