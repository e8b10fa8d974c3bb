import Logging

/// The one way the cluster parts wait out an etcd that is starting, busy or unreachable:
/// try, log the failure, pause, try again, until it works or the task is cancelled.
enum EtcdRetry {
    /// Runs `attempt` until it returns, logging each failure as "cannot `what`" and pausing
    /// `pause` between tries (a retry pause, not synchronisation).
    ///
    /// - Returns: what `attempt` returned, or `nil` once the task is cancelled.
    static func untilDone<Value>(
        _ what: String, logger: Logger, pause: Duration, _ attempt: () async throws -> Value
    ) async -> Value? {
        while !Task.isCancelled {
            do {
                return try await attempt()
            } catch {
                if Task.isCancelled { return nil }
                logger.warning("cannot \(what)", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: pause)
            }
        }
        return nil
    }
}
