import Foundation
import Logging

/// Reloads the TLS material when its files change on disk (a renewal by cert-manager or a
/// cron job that does not signal the broker), as SIGHUP does: every
/// `basalt.ssl.reload.check.interval.ms` (default 5000; 0 turns it off) it compares the
/// files' sizes and modification times with those of the last attempt.
///
/// A file replaced in several steps may be seen half-written: that reload is refused (the
/// old material stays) and the next change is tried again.
struct CertificateFileWatcher: Sendable {
    let security: BrokerSecurity
    let paths: [String]
    let intervalMs: Int
    let logger: Logger

    private struct Stamp: Equatable {
        var size: UInt64
        var modified: Date
    }

    private func stamps() -> [Stamp?] {
        paths.map { path in
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let size = attributes[.size] as? UInt64, let modified = attributes[.modificationDate] as? Date else {
                return nil
            }
            return Stamp(size: size, modified: modified)
        }
    }

    /// Runs until the task is cancelled.
    func run() async {
        var last = stamps()
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(intervalMs))
            let now = stamps()
            guard now != last, !Task.isCancelled else { continue }
            last = now
            do {
                try security.reloadCertificates()
                logger.info("TLS certificates reloaded", metadata: ["trigger": "file change"])
            } catch {
                logger.error("TLS certificates not reloaded; the old ones stay in use", metadata: ["error": "\(error)"])
            }
        }
    }
}
