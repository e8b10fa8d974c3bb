import NIOCore
import NIOHTTP1
import NIOPosix

/// HTTP/1.1 POSTs to one etcd endpoint, one fresh TCP connection per request.
///
/// A connection per request keeps the failure handling simple and exact: a request's timeout closes
/// its own connection and nothing else, and a half-dead connection is never reused. The price is a
/// TCP handshake per call, which is small next to etcd's fsync per write, and coordination traffic is
/// low (keepalives every TTL/3, a transaction per partition-state change).
///
/// Every wait is bounded: connecting by the connect timeout, the whole exchange by a timer that
/// closes the channel, and every body by `maxResponseBytes`. Cancelling the calling task closes the
/// channel too, so a caller is never held by a silent peer.
struct EtcdHTTPTransport: Sendable {
    let group: any EventLoopGroup
    /// The largest unary response body, or the largest single message of a stream, that is accepted.
    let maxResponseBytes: Int

    typealias Connection = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>

    /// Sends one POST and returns the body of a 200 response.
    ///
    /// - Throws: ``EtcdError`` (`connectFailed`, `timedOut`, `connectionClosed`, `server`,
    ///   `httpStatus`, `responseTooLarge`), or `CancellationError` if the task was cancelled.
    func post(
        endpoint: EtcdEndpoint, path: String, body: [UInt8], operation: String, timeout: Duration
    ) async throws -> [UInt8] {
        let started = ContinuousClock.now
        let connection = try await connect(endpoint: endpoint, operation: operation, timeout: timeout)
        let channel = connection.channel
        let remaining = timeout - (ContinuousClock.now - started)
        let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(max(remaining.nanosecondsClamped, 0))) {
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await connection.executeThenClose { inbound, outbound in
                    try await send(path: path, body: body, endpoint: endpoint, to: outbound)
                    var status: HTTPResponseStatus?
                    var collected = ByteBuffer()
                    for try await part in inbound {
                        switch part {
                        case .head(let head):
                            status = head.status
                        case .body(let chunk):
                            guard collected.readableBytes + chunk.readableBytes <= maxResponseBytes else {
                                throw EtcdError.responseTooLarge(
                                    endpoint: endpoint.description, operation: operation, limitBytes: maxResponseBytes)
                            }
                            var chunk = chunk
                            collected.writeBuffer(&chunk)
                        case .end:
                            let bytes = Array(collected.readableBytesView)
                            guard let status else {
                                throw EtcdError.malformedResponse(
                                    endpoint: endpoint.description, operation: operation, reason: "no response head")
                            }
                            try checkStatus(status, body: bytes, endpoint: endpoint, operation: operation)
                            return bytes
                        }
                    }
                    throw EtcdError.connectionClosed(endpoint: endpoint.description, operation: operation)
                }
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch {
            throw classify(error, endpoint: endpoint, operation: operation, started: started, timeout: timeout)
        }
    }

    /// Sends one POST whose 200 response is an open-ended stream, and hands each body chunk to
    /// `onChunk` until the server ends the response, the connection drops, or the task is cancelled.
    ///
    /// `headTimeout` bounds connecting and the wait for the response head; after the head there is no
    /// timeout (a watch may be idle for hours). Returns normally when the server ended the response.
    ///
    /// - Throws: as ``post(endpoint:path:body:operation:timeout:)``, plus whatever `onChunk` throws.
    func postStreaming(
        endpoint: EtcdEndpoint, path: String, body: [UInt8], operation: String, headTimeout: Duration,
        onChunk: (ByteBuffer) throws -> Void
    ) async throws {
        let started = ContinuousClock.now
        let connection = try await connect(endpoint: endpoint, operation: operation, timeout: headTimeout)
        let channel = connection.channel
        let remaining = headTimeout - (ContinuousClock.now - started)
        let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(max(remaining.nanosecondsClamped, 0))) {
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            try await withTaskCancellationHandler {
                try await connection.executeThenClose { inbound, outbound in
                    try await send(path: path, body: body, endpoint: endpoint, to: outbound)
                    var status: HTTPResponseStatus?
                    var errorBody = ByteBuffer()
                    for try await part in inbound {
                        switch part {
                        case .head(let head):
                            status = head.status
                            if head.status == .ok { timer.cancel() }
                        case .body(let chunk):
                            if status == .ok {
                                try onChunk(chunk)
                            } else if errorBody.readableBytes + chunk.readableBytes <= maxResponseBytes {
                                var chunk = chunk
                                errorBody.writeBuffer(&chunk)
                            }
                        case .end:
                            if let status, status != .ok {
                                try checkStatus(
                                    status, body: Array(errorBody.readableBytesView), endpoint: endpoint,
                                    operation: operation)
                            }
                            return
                        }
                    }
                    throw EtcdError.connectionClosed(endpoint: endpoint.description, operation: operation)
                }
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch {
            throw classify(error, endpoint: endpoint, operation: operation, started: started, timeout: headTimeout)
        }
    }

    private func connect(endpoint: EtcdEndpoint, operation: String, timeout: Duration) async throws -> Connection {
        do {
            return try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(max(timeout.nanosecondsClamped, 1)))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: endpoint.host, port: endpoint.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try Connection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw EtcdError.connectFailed(
                endpoint: endpoint.description, operation: operation, reason: String(describing: error))
        }
    }

    private func send(
        path: String, body: [UInt8], endpoint: EtcdEndpoint, to outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
    ) async throws {
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
        head.headers.add(name: "Host", value: String(endpoint.description.dropFirst("http://".count)))
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: String(body.count))
        head.headers.add(name: "Connection", value: "close")
        try await outbound.write(.head(head))
        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
        try await outbound.write(.end(nil))
    }

    /// Turns a non-200 status into etcd's own error when the body is its error JSON.
    private func checkStatus(
        _ status: HTTPResponseStatus, body: [UInt8], endpoint: EtcdEndpoint, operation: String
    ) throws {
        guard status != .ok else { return }
        if let parsed = EtcdJSON.decodeIfPossible(EtcdWire.ErrorBody.self, from: body),
           let code = parsed.code
        {
            throw EtcdError.server(
                endpoint: endpoint.description, operation: operation, code: code,
                message: parsed.message ?? parsed.error ?? "")
        }
        throw EtcdError.httpStatus(
            endpoint: endpoint.description, operation: operation, status: Int(status.code),
            body: String(decoding: body.prefix(200), as: UTF8.self))
    }

    /// Maps channel errors to a timeout (the timer closed the channel) or a dropped connection.
    private func classify(
        _ error: any Error, endpoint: EtcdEndpoint, operation: String, started: ContinuousClock.Instant,
        timeout: Duration
    ) -> any Error {
        if Task.isCancelled { return CancellationError() }
        let elapsed = ContinuousClock.now - started
        switch error {
        case let etcdError as EtcdError:
            if case .connectionClosed = etcdError, elapsed >= timeout {
                return EtcdError.timedOut(
                    endpoint: endpoint.description, operation: operation, timeoutMs: timeout.millisecondsClamped)
            }
            return etcdError
        default:
            if elapsed >= timeout {
                return EtcdError.timedOut(
                    endpoint: endpoint.description, operation: operation, timeoutMs: timeout.millisecondsClamped)
            }
            return EtcdError.connectionClosed(endpoint: endpoint.description, operation: operation)
        }
    }
}
