import NIOCore
import Synchronization

/// An async etcd v3 client over etcd's JSON gateway (`POST /v3/...`), for etcd 3.4 and later.
///
/// Basalt's cluster mode keeps membership, the controller lease and partition state in etcd; this
/// client is its only way there. docs/replication.md says why the JSON gateway rather than gRPC.
///
/// **Timeouts.** Every request is bounded: one attempt at one endpoint takes at most
/// `requestTimeout` (connect included), and a call makes at most one attempt per endpoint, so no
/// call waits longer than `requestTimeout × endpoints.count`. Watches are bounded while connecting
/// and give up after `watchReconnectTimeout` without a working endpoint.
///
/// **Failover.** Calls go to the endpoint that last answered. When it cannot be reached the call moves
/// to the next one, and so does the preference. Reads, unconditional puts and deletes (repeatable:
/// sent twice they leave what one leaves), lease grants, keepalives and revokes also move on after a
/// timeout or dropped connection; transactions (`txn`) do not, because etcd may have applied one, and
/// re-sending a compare-and-swap that succeeded would report a failure. Those
/// throw ``EtcdError/timedOut(endpoint:operation:timeoutMs:)`` or
/// ``EtcdError/connectionClosed(endpoint:operation:)``: the outcome is unknown and the caller re-reads.
/// etcd's own errors (``EtcdError/server(endpoint:operation:code:message:)``) are returned, not retried.
///
/// Each request uses its own TCP connection (see `EtcdHTTPTransport`); the client holds no
/// connections, so there is nothing to shut down. The event loop group belongs to the caller.
public final class EtcdClient: Sendable {
    /// The endpoints, in the order given.
    public let endpoints: [EtcdEndpoint]
    /// The longest one attempt at one endpoint may take.
    public let requestTimeout: Duration
    /// How long a watch keeps trying to reconnect before it ends with an error.
    public let watchReconnectTimeout: Duration
    let transport: EtcdHTTPTransport
    /// Index into `endpoints` of the endpoint to try first: the last one that answered.
    private let preferredIndex = Mutex(0)

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - endpoints: etcd client URLs; see ``EtcdEndpoint/list(parsing:)`` for the comma-separated form.
    ///   - eventLoopGroup: where connections run; owned by the caller, who shuts it down after the client's last use.
    ///   - requestTimeout: the longest one attempt at one endpoint may take, connect included.
    ///   - watchReconnectTimeout: how long a broken watch keeps trying to reconnect before it fails.
    ///   - maxResponseBytes: the largest response body (or single stream message) accepted.
    /// - Throws: ``EtcdError/invalidEndpoint(_:reason:)`` when `endpoints` is empty.
    public init(
        endpoints: [EtcdEndpoint],
        eventLoopGroup: any EventLoopGroup,
        requestTimeout: Duration = .seconds(5),
        watchReconnectTimeout: Duration = .seconds(30),
        maxResponseBytes: Int = 16 << 20
    ) throws {
        guard !endpoints.isEmpty else { throw EtcdError.invalidEndpoint("", reason: "no endpoints given") }
        precondition(requestTimeout > .zero, "requestTimeout must be positive")
        precondition(maxResponseBytes > 0, "maxResponseBytes must be positive")
        self.endpoints = endpoints
        self.requestTimeout = requestTimeout
        self.watchReconnectTimeout = watchReconnectTimeout
        self.transport = EtcdHTTPTransport(group: eventLoopGroup, maxResponseBytes: maxResponseBytes)
    }

    /// Creates a client from `http://HOST:PORT[,http://HOST:PORT…]`.
    ///
    /// - Throws: ``EtcdError/invalidEndpoint(_:reason:)`` for a malformed list.
    public convenience init(
        endpoints: String,
        eventLoopGroup: any EventLoopGroup,
        requestTimeout: Duration = .seconds(5),
        watchReconnectTimeout: Duration = .seconds(30)
    ) throws {
        try self.init(
            endpoints: EtcdEndpoint.list(parsing: endpoints), eventLoopGroup: eventLoopGroup,
            requestTimeout: requestTimeout, watchReconnectTimeout: watchReconnectTimeout)
    }

    /// The endpoint the next call tries first.
    public var preferredEndpoint: EtcdEndpoint {
        endpoints[preferredIndex.withLock { $0 }]
    }

    /// Sends one unary gateway call with failover, decodes the 200 body as `Response`.
    ///
    /// - Parameters:
    ///   - retryAfterSend: whether the request may be sent to another endpoint after an attempt that
    ///     may have reached etcd (timeout, dropped connection). True only where a repeat is harmless.
    ///   - deadline: an absolute limit for the whole call, tighter than the per-attempt timeout.
    /// - Returns: the decoded body and the endpoint that answered.
    func call<Response: Decodable>(
        _ path: String, body: [UInt8], operation: String, as: Response.Type, retryAfterSend: Bool,
        deadline: ContinuousClock.Instant? = nil
    ) async throws -> (Response, EtcdEndpoint) {
        let first = preferredIndex.withLock { $0 }
        var errors: [EtcdError] = []
        // A call that may be repeated gets one more attempt after the last endpoint dropped its
        // connection without an answer: a freshly started or busy etcd sometimes closes a
        // connection early, and one such drop should not fail a read.
        let attempts = endpoints.count + (retryAfterSend ? 1 : 0)
        for step in 0..<attempts {
            if step == endpoints.count {
                guard case .connectionClosed? = errors.last else { break }
            }
            let index = (first + step) % endpoints.count
            let endpoint = endpoints[index]
            var timeout = requestTimeout
            if let deadline {
                let left = deadline - ContinuousClock.now
                if left <= .zero { break }
                timeout = min(timeout, left)
            }
            do {
                let bytes = try await transport.post(
                    endpoint: endpoint, path: path, body: body, operation: operation, timeout: timeout)
                preferredIndex.withLock { $0 = index }
                return (try EtcdJSON.decode(Response.self, from: bytes, endpoint: endpoint, operation: operation), endpoint)
            } catch let error as EtcdError {
                errors.append(error)
                let mayFailOver: Bool
                switch error {
                case .connectFailed: mayFailOver = true
                case .timedOut, .connectionClosed: mayFailOver = retryAfterSend
                default: mayFailOver = false
                }
                guard mayFailOver else { throw error }
                // Later calls start at the next endpoint, unless another call already moved on.
                preferredIndex.withLock { if $0 == index { $0 = (index + 1) % endpoints.count } }
            }
        }
        if errors.count == 1 { throw errors[0] }
        if errors.isEmpty {
            throw EtcdError.timedOut(endpoint: endpoints[first].description, operation: operation, timeoutMs: 0)
        }
        throw EtcdError.allEndpointsFailed(operation: operation, errors: errors)
    }
}
