import Basalt

/// Carrying out the steps of a plan.
extension Repair {
    /// Carries out `actions` on the partition or store directory `root`, moving files
    /// into `quarantine`. Returns the log end offset when a step opened the partition.
    ///
    /// - Throws: ``InspectError`` for the first step that fails; steps before it stay done.
    static func carryOut(
        _ actions: [RepairAction], in root: String, config: LogConfig, quarantine: inout Quarantine
    ) throws(InspectError) -> Int64? {
        var logEnd: Int64?
        var cursors: CursorStore?
        for action in actions {
            switch action {
            case .moveAside(let file, _):
                try FileSystem.move(file, to: try quarantine.destination(for: file))
            case .truncate(let file, let position, _, _):
                try FileSystem.copyTail(of: file, from: position, to: try quarantine.destination(for: file) + ".tail-from-\(position)")
                try FileSystem.truncate(file, to: position)
            case .rename(let from, let to, _):
                try FileSystem.move(from, to: to)
            case .rewriteCheckpoint(let recoveryPoint, let logStartOffset):
                do {
                    try PartitionCheckpointFile(recoveryPoint: recoveryPoint, logStartOffset: logStartOffset).write(directory: root)
                } catch {
                    throw InspectError.from(error, path: root)
                }
            case .rebuildIndexes:
                do {
                    let log = try PartitionLog(directory: root, config: config)
                    logEnd = log.logEndOffset
                    try log.close()
                } catch {
                    throw InspectError.failed(path: root, reason: "Basalt could not open the repaired partition: \(error)")
                }
            case .writeTopicDescription(let file, let topic, let partitions, _):
                try TopicFileWriter.write(file, store: root, topic: topic, partitions: partitions, config: LogConfig())
            case .lowerCommittedOffset(let file, let group, let topicPartition, _, let to):
                // The group's file as it was, once, however many of its offsets are lowered.
                let copy = try quarantine.destination(for: file)
                if try FileSystem.info(copy) == nil { try FileSystem.copyTail(of: file, from: 0, to: copy) }
                do {
                    let store = try cursors ?? CursorStore(directory: root + "/" + Store.cursorsDirectoryName)
                    cursors = store
                    var lowered = store.committed(group: group, topicPartition) ?? CommittedOffset(offset: to)
                    lowered.offset = to
                    try store.commit(group: group, offsets: [topicPartition: lowered])
                } catch {
                    throw InspectError.from(error, path: file)
                }
            }
        }
        try quarantine.sync()
        try FileSystem.syncDirectory(root)
        return logEnd
    }
}
