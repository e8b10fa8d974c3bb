/// The outcome of a transaction.
public struct EtcdTxnResult: Equatable, Sendable {
    /// The result of one operation of the branch that ran, in the order they were given.
    public enum Response: Equatable, Sendable {
        /// Keys read by `.get` or `.getPrefix`.
        case range([EtcdKeyValue])
        /// A `.put` was applied.
        case put
        /// A `.delete` or `.deletePrefix` removed this many keys.
        case delete(deleted: Int64)
    }

    /// True when every comparison held and the success branch ran; false when the failure branch ran.
    public var succeeded: Bool
    /// The store's revision after the transaction (unchanged when the branch that ran wrote nothing).
    public var revision: Int64
    /// One entry per operation of the branch that ran.
    public var responses: [Response]

    /// Creates a result.
    public init(succeeded: Bool, revision: Int64, responses: [Response]) {
        self.succeeded = succeeded
        self.revision = revision
        self.responses = responses
    }

    init(wire: EtcdWire.TxnResponse, endpoint: EtcdEndpoint, operation: String) throws {
        let responses = try (wire.responses ?? []).map { op -> Response in
            if let range = op.response_range {
                return .range(try EtcdRangeResult(wire: range, endpoint: endpoint, operation: operation).keyValues)
            }
            if op.response_put != nil { return .put }
            if let delete = op.response_delete_range { return .delete(deleted: delete.deleted?.value ?? 0) }
            throw EtcdError.malformedResponse(
                endpoint: endpoint.description, operation: operation, reason: "transaction response of unknown kind")
        }
        self.init(succeeded: wire.succeeded ?? false, revision: wire.header?.revision?.value ?? 0, responses: responses)
    }
}
