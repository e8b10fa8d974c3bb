/// Watches: a stream of changes under a key or prefix that survives etcd restarts and failover.
extension EtcdClient {
    /// Events a watch may buffer for a slow consumer before it ends with
    /// ``EtcdError/watchConsumerTooSlow(limitEvents:)``; a watch never drops events silently.
    public static let watchBufferEvents = 65_536

    /// Streams every change to keys starting with `prefix`, in revision order.
    ///
    /// - Parameter fromRevision: the first revision to report; 0 means changes after the watch starts.
    ///   To follow a prefix without a gap, read it with ``getPrefix(_:)`` and pass `revision + 1`.
    ///
    /// The stream uses the gateway's streaming `POST /v3/watch`. When the connection drops (etcd
    /// restarted, an endpoint died) it reconnects, moving through the endpoints, and resumes from the
    /// revision after the last one it delivered, so no event is lost or repeated. It ends with an
    /// error when: the resume revision has been compacted (``EtcdError/watchCompacted(endpoint:requestedRevision:compactRevision:)``),
    /// etcd cancels the watch, no endpoint accepts it for `watchReconnectTimeout`
    /// (the last connection error), a message is malformed or too large, or the consumer falls
    /// ``watchBufferEvents`` behind. Stopping iteration (or cancelling the iterating task) closes the connection.
    ///
    /// A watch cannot tell a silent (e.g. SIGSTOPped) etcd from a quiet prefix: the gateway's watch has
    /// no heartbeat, so such a stall shows up only when the connection breaks.
    public func watch(prefix: String, fromRevision: Int64 = 0) -> AsyncThrowingStream<EtcdWatchEvent, any Error> {
        watch(key: EtcdWire.base64(prefix), rangeEnd: EtcdWire.prefixRangeEnd(prefix), fromRevision: fromRevision)
    }

    /// Streams every change to one key, in revision order; see ``watch(prefix:fromRevision:)``.
    public func watch(key: String, fromRevision: Int64 = 0) -> AsyncThrowingStream<EtcdWatchEvent, any Error> {
        watch(key: EtcdWire.base64(key), rangeEnd: nil, fromRevision: fromRevision)
    }

    private func watch(key: String, rangeEnd: String?, fromRevision: Int64) -> AsyncThrowingStream<EtcdWatchEvent, any Error> {
        precondition(fromRevision >= 0, "a watch revision is not negative")
        let (stream, continuation) = AsyncThrowingStream<EtcdWatchEvent, any Error>.makeStream(
            bufferingPolicy: .bufferingOldest(Self.watchBufferEvents))
        let task = Task { [self] in
            do {
                try await runWatch(key: key, rangeEnd: rangeEnd, fromRevision: fromRevision, continuation: continuation)
                continuation.finish()
            } catch is CancellationError {
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Connects, streams and reconnects until cancelled or a terminal error.
    private func runWatch(
        key: String, rangeEnd: String?, fromRevision: Int64,
        continuation: AsyncThrowingStream<EtcdWatchEvent, any Error>.Continuation
    ) async throws {
        let operation = "watch"
        // The next revision to ask for; 0 until the first watch is created when watching "from now".
        var nextRevision = fromRevision
        var endpointIndex = endpoints.firstIndex(of: preferredEndpoint) ?? 0
        var failingSince: ContinuousClock.Instant?
        var backoff = Duration.milliseconds(50)
        while true {
            try Task.checkCancellation()
            let endpoint = endpoints[endpointIndex]
            var splitter = EtcdJSONObjectSplitter(maxObjectBytes: transport.maxResponseBytes)
            let request = EtcdWire.WatchRequest(create_request: .init(
                key: key, range_end: rangeEnd, start_revision: nextRevision > 0 ? .init(nextRevision) : nil))
            var lastError: EtcdError
            do {
                try await transport.postStreaming(
                    endpoint: endpoint, path: "/v3/watch", body: EtcdJSON.encode(request), operation: operation,
                    headTimeout: requestTimeout
                ) { chunk in
                    let objects: [[UInt8]]
                    do throws(EtcdJSONObjectSplitter.Failure) {
                        objects = try splitter.append(chunk.readableBytesView)
                    } catch .objectTooLarge(let limit) {
                        throw EtcdError.responseTooLarge(endpoint: endpoint.description, operation: operation, limitBytes: limit)
                    } catch .unexpectedByte(let byte) {
                        throw EtcdError.malformedResponse(
                            endpoint: endpoint.description, operation: operation, reason: "byte \(byte) between stream messages")
                    }
                    for object in objects {
                        let message = try EtcdJSON.decode(
                            EtcdWire.StreamMessage<EtcdWire.WatchResponse>.self, from: object, endpoint: endpoint,
                            operation: operation)
                        if let error = message.error {
                            throw EtcdError.server(
                                endpoint: endpoint.description, operation: operation, code: error.grpc_code ?? 0,
                                message: error.message ?? "")
                        }
                        guard let response = message.result else {
                            throw EtcdError.malformedResponse(
                                endpoint: endpoint.description, operation: operation, reason: "message without a result")
                        }
                        if response.created == true {
                            failingSince = nil
                            backoff = .milliseconds(50)
                            if nextRevision == 0 { nextRevision = (response.header?.revision?.value ?? 0) + 1 }
                        }
                        if response.canceled == true {
                            if let compacted = response.compact_revision?.value, compacted > 0 {
                                throw EtcdError.watchCompacted(
                                    endpoint: endpoint.description, requestedRevision: nextRevision, compactRevision: compacted)
                            }
                            throw EtcdError.watchCanceled(endpoint: endpoint.description, reason: response.cancel_reason ?? "")
                        }
                        var lastRevision: Int64?
                        for wireEvent in response.events ?? [] {
                            let event = try Self.event(from: wireEvent, endpoint: endpoint, operation: operation)
                            switch continuation.yield(event) {
                            case .enqueued: break
                            case .dropped: throw EtcdError.watchConsumerTooSlow(limitEvents: Self.watchBufferEvents)
                            case .terminated: throw CancellationError()
                            @unknown default: break
                            }
                            lastRevision = event.revision
                        }
                        // Resume after the whole message: events of one revision arrive together.
                        if let lastRevision { nextRevision = lastRevision + 1 }
                    }
                }
                lastError = .connectionClosed(endpoint: endpoint.description, operation: operation)
            } catch let error as EtcdError {
                switch error {
                case .connectFailed, .timedOut, .connectionClosed, .server, .httpStatus:
                    lastError = error
                default:
                    throw error
                }
            }
            try Task.checkCancellation()
            let now = ContinuousClock.now
            let since = failingSince ?? now
            failingSince = since
            if now - since >= watchReconnectTimeout { throw lastError }
            endpointIndex = (endpointIndex + 1) % endpoints.count
            try await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(1))
        }
    }

    private static func event(from wire: EtcdWire.Event, endpoint: EtcdEndpoint, operation: String) throws -> EtcdWatchEvent {
        guard let kv = wire.kv else {
            throw EtcdError.malformedResponse(endpoint: endpoint.description, operation: operation, reason: "event without kv")
        }
        let kind: EtcdWatchEvent.Kind
        switch wire.type {
        case nil, "PUT": kind = .put
        case "DELETE": kind = .delete
        case let other?:
            throw EtcdError.malformedResponse(
                endpoint: endpoint.description, operation: operation, reason: "unknown event type \(other.prefix(20))")
        }
        return EtcdWatchEvent(kind: kind, keyValue: try EtcdKeyValue(wire: kv, endpoint: endpoint, operation: operation))
    }
}
