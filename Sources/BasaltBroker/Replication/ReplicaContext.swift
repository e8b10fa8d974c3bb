import Logging
import NIOCore

/// What the replication components of one broker share.
struct ReplicaContext: Sendable {
    let nodeId: Int32
    let metadata: ClusterMetadata
    let eventLoopGroup: any EventLoopGroup
    let producerStates: ProducerStates
    let logger: Logger
    /// Largest Fetch response a follower accepts.
    let maxResponseBytes: Int
    let fetchMaxBytesPerPartition: Int
    let fetchWaitMaxMs: Int
    /// Longest delay of a partition whose batches the local log keeps refusing
    /// (`replica.fetch.backoff.ms`; see ``RefusalBackoff``).
    let fetchBackoffMs: Int
    /// TLS and SASL towards peers (the inter-broker listener's).
    var peerSecurity = PeerSecurity()
}
