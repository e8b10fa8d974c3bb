extension ProducerStateTable {
    /// Removes the snapshots of `directory` taken at an offset above `offset`, and all of
    /// them when `offset` is nil: called by ``PartitionLog/truncate(to:)`` and
    /// ``PartitionLog/truncateFullyAndStartAt(_:)`` before they cut the log.
    ///
    /// A snapshot at offset `n` covers the batches below `n`; after the log is cut below
    /// `n` it would describe batches that are gone, and once new batches reach `n` again
    /// ``load(for:)`` would trust it. A snapshot at exactly the new end stays valid.
    static func deleteSnapshots(after offset: Int64?, in directory: String, io: any FileIO) throws {
        for (snapshotOffset, path) in snapshotFiles(in: directory) where offset.map({ snapshotOffset > $0 }) ?? true {
            try Segment.removeIfPresent(path, io: io)
        }
    }
}
