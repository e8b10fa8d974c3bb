/// What went wrong talking to etcd, with the endpoint and the operation it happened in.
///
/// `operation` names the gateway call (`kv/range`, `kv/txn`, `lease/keepalive`, `watch`, …) so an
/// operator can tell which request failed; `endpoint` is `http://HOST:PORT`.
///
/// Whether a failed write took effect: a write that failed with ``connectFailed(endpoint:operation:reason:)``
/// was never sent. After ``timedOut(endpoint:operation:timeoutMs:)`` or
/// ``connectionClosed(endpoint:operation:)`` the outcome of a write is unknown: etcd may have applied
/// it. Callers re-read (and compare-and-swap against what they read) rather than blindly retry.
public enum EtcdError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An endpoint string is not of the form `http://HOST:PORT`.
    case invalidEndpoint(String, reason: String)
    /// The TCP connection could not be set up (refused, unreachable, connect timeout). The request was not sent.
    case connectFailed(endpoint: String, operation: String, reason: String)
    /// No complete response arrived within the time allowed. A write may or may not have been applied.
    case timedOut(endpoint: String, operation: String, timeoutMs: Int64)
    /// The connection closed (or reset) before the response was complete. A write may or may not have been applied.
    case connectionClosed(endpoint: String, operation: String)
    /// etcd answered with its error body (`{"error":…,"code":…}`); `code` is the gRPC status code
    /// (5 = not found, e.g. an unknown lease; 14 = unavailable, e.g. no leader).
    case server(endpoint: String, operation: String, code: Int, message: String)
    /// A non-200 HTTP status without an etcd error body. `body` is the first bytes of the body, for the log.
    case httpStatus(endpoint: String, operation: String, status: Int, body: String)
    /// The response could not be understood (not JSON, bad base64, a number out of range, a missing field).
    case malformedResponse(endpoint: String, operation: String, reason: String)
    /// The response (or one message of a stream) is larger than the configured limit.
    case responseTooLarge(endpoint: String, operation: String, limitBytes: Int)
    /// The lease no longer exists at etcd (keepalive returned TTL <= 0), or its local deadline passed
    /// without a successful renewal.
    case leaseExpired(leaseID: Int64, reason: String)
    /// A watch asked for a revision etcd has compacted away. Events between `requestedRevision` and
    /// `compactRevision` are lost: re-read the state (``EtcdClient/getPrefix(_:)``) and watch again from
    /// the revision of that read + 1.
    case watchCompacted(endpoint: String, requestedRevision: Int64, compactRevision: Int64)
    /// etcd cancelled a watch for a reason other than compaction.
    case watchCanceled(endpoint: String, reason: String)
    /// A watch's consumer fell more than `limitEvents` events behind; the watch ended rather than drop
    /// events. Re-read the state and watch again.
    case watchConsumerTooSlow(limitEvents: Int)
    /// Every endpoint was tried and failed; `errors` holds one error per attempt, in order.
    indirect case allEndpointsFailed(operation: String, errors: [EtcdError])

    /// A one-line message naming the operation, the endpoint and the cause.
    public var description: String {
        switch self {
        case .invalidEndpoint(let text, let reason):
            return "invalid etcd endpoint '\(text)': \(reason)"
        case .connectFailed(let endpoint, let operation, let reason):
            return "etcd \(operation) at \(endpoint): connect failed: \(reason)"
        case .timedOut(let endpoint, let operation, let timeoutMs):
            return "etcd \(operation) at \(endpoint): no response within \(timeoutMs) ms"
        case .connectionClosed(let endpoint, let operation):
            return "etcd \(operation) at \(endpoint): connection closed before the response was complete"
        case .server(let endpoint, let operation, let code, let message):
            return "etcd \(operation) at \(endpoint): error code \(code): \(message)"
        case .httpStatus(let endpoint, let operation, let status, let body):
            return "etcd \(operation) at \(endpoint): HTTP \(status): \(body)"
        case .malformedResponse(let endpoint, let operation, let reason):
            return "etcd \(operation) at \(endpoint): malformed response: \(reason)"
        case .responseTooLarge(let endpoint, let operation, let limitBytes):
            return "etcd \(operation) at \(endpoint): response larger than \(limitBytes) bytes"
        case .leaseExpired(let leaseID, let reason):
            return "etcd lease \(leaseID) expired: \(reason)"
        case .watchCompacted(let endpoint, let requestedRevision, let compactRevision):
            return "etcd watch at \(endpoint): revision \(requestedRevision) compacted (compact revision \(compactRevision))"
        case .watchCanceled(let endpoint, let reason):
            return "etcd watch at \(endpoint) cancelled: \(reason)"
        case .watchConsumerTooSlow(let limitEvents):
            return "etcd watch: consumer fell more than \(limitEvents) events behind"
        case .allEndpointsFailed(let operation, let errors):
            return "etcd \(operation): every endpoint failed: " + errors.map(\.description).joined(separator: "; ")
        }
    }
}
