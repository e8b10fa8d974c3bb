import Foundation

/// The JSON shapes of etcd 3.4's v3 gateway (grpc-gateway over `etcdserverpb`).
///
/// Property names mirror the JSON field names exactly (snake_case, `ID`, `TTL`) so a reader can
/// compare them with `rpc.proto`. The gateway follows proto3 JSON rules, which shape everything here:
/// - int64 fields arrive as JSON strings (`"revision":"5"`); ``Int64Value`` accepts both forms.
/// - fields holding their default (0, false, empty) are omitted, so every response field is optional.
/// - `bytes` fields (keys, values) are base64.
enum EtcdWire {
    /// An int64 that proto3 JSON writes as a string; also accepts a bare number.
    struct Int64Value: Codable, Sendable {
        var value: Int64

        init(_ value: Int64) { self.value = value }

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                guard let parsed = Int64(text) else {
                    throw DecodingError.dataCorruptedError(
                        in: container, debugDescription: "not an int64: '\(text.prefix(40))'")
                }
                value = parsed
            } else {
                value = try container.decode(Int64.self)
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(String(value))
        }
    }

    // MARK: Requests

    struct RangeRequest: Encodable {
        var key: String
        var range_end: String?
    }

    struct PutRequest: Encodable {
        var key: String
        var value: String
        var lease: Int64Value?
    }

    struct DeleteRangeRequest: Encodable {
        var key: String
        var range_end: String?
    }

    struct CompactionRequest: Encodable {
        var revision: Int64Value
    }

    struct Compare: Encodable {
        var key: String
        var range_end: String?
        var target: String
        var result: String
        var version: Int64Value?
        var create_revision: Int64Value?
        var mod_revision: Int64Value?
        var value: String?
        var lease: Int64Value?
    }

    struct RequestOp: Encodable {
        var request_range: RangeRequest?
        var request_put: PutRequest?
        var request_delete_range: DeleteRangeRequest?
    }

    struct TxnRequest: Encodable {
        var compare: [Compare]
        var success: [RequestOp]
        var failure: [RequestOp]
    }

    struct LeaseGrantRequest: Encodable {
        var TTL: Int64Value
    }

    struct LeaseIDRequest: Encodable {
        var ID: Int64Value
    }

    struct WatchCreateRequest: Encodable {
        var key: String
        var range_end: String?
        var start_revision: Int64Value?
    }

    struct WatchRequest: Encodable {
        var create_request: WatchCreateRequest
    }

    // MARK: Responses

    struct Header: Decodable {
        var revision: Int64Value?
    }

    struct KeyValue: Decodable {
        var key: String?
        var value: String?
        var create_revision: Int64Value?
        var mod_revision: Int64Value?
        var version: Int64Value?
        var lease: Int64Value?
    }

    struct RangeResponse: Decodable {
        var header: Header?
        var kvs: [KeyValue]?
    }

    struct PutResponse: Decodable {
        var header: Header?
    }

    struct DeleteRangeResponse: Decodable {
        var header: Header?
        var deleted: Int64Value?
    }

    struct ResponseOp: Decodable {
        var response_range: RangeResponse?
        var response_put: PutResponse?
        var response_delete_range: DeleteRangeResponse?
    }

    struct TxnResponse: Decodable {
        var header: Header?
        var succeeded: Bool?
        var responses: [ResponseOp]?
    }

    struct LeaseGrantResponse: Decodable {
        var header: Header?
        var ID: Int64Value?
        var TTL: Int64Value?
        var error: String?
    }

    struct LeaseRevokeResponse: Decodable {
        var header: Header?
    }

    struct LeaseKeepAliveResponse: Decodable {
        var header: Header?
        var ID: Int64Value?
        var TTL: Int64Value?
    }

    /// An error a streaming gateway call sends in place of a message.
    struct StreamError: Decodable {
        var grpc_code: Int?
        var http_code: Int?
        var message: String?
        var http_status: String?
    }

    /// One message of a streaming call (`lease/keepalive`, `watch`): `{"result":…}` or `{"error":…}`.
    struct StreamMessage<Result: Decodable>: Decodable {
        var result: Result?
        var error: StreamError?
    }

    struct Event: Decodable {
        var type: String?
        var kv: KeyValue?
    }

    struct WatchResponse: Decodable {
        var header: Header?
        var created: Bool?
        var canceled: Bool?
        var compact_revision: Int64Value?
        var cancel_reason: String?
        var events: [Event]?
    }

    /// The body of a non-200 unary response.
    struct ErrorBody: Decodable {
        var error: String?
        var message: String?
        var code: Int?
    }

    // MARK: Bytes

    static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    static func base64(_ key: String) -> String {
        Data(key.utf8).base64EncodedString()
    }

    /// The `range_end` that makes a range request cover every key starting with `prefix`: the prefix
    /// with its last byte below 0xff incremented and what follows dropped. An empty prefix, or one of
    /// only 0xff bytes, has no such key; etcd's convention for "to the end of the keyspace" is `\0`.
    static func prefixRangeEnd(_ prefix: String) -> String {
        var bytes = Array(prefix.utf8)
        while let last = bytes.last {
            if last < 0xff {
                bytes[bytes.count - 1] = last + 1
                return base64(bytes)
            }
            bytes.removeLast()
        }
        return base64([0])
    }
}
