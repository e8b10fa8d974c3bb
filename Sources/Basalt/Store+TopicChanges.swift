/// Changes to an existing topic: more partitions, new settings.
///
/// Both hold the topic's name like a create or delete does (see ``TopicReservation``), so
/// they act one after another with those; lookups see the topic as it was until the change
/// is durable, then the changed topic. The topic file is the commit point of each: it is
/// replaced atomically, so a crash leaves the old description or the new one.
extension Store {
    /// Grows topic `name` to `count` partitions.
    ///
    /// The new partitions' directories are created and synced first, then the topic file
    /// names the new count. A crash before that leaves directories no topic file names;
    /// the next growth of the topic removes and recreates them, so a partition never
    /// starts from a half-created directory. Records already written stay where they are:
    /// a key maps by murmur2 over the new count from now on, as in Kafka.
    ///
    /// Cost: what creating the new partitions costs (a directory, three segment files and
    /// an `fsync` each), one directory sync and one ``AtomicFile/replace(_:with:io:)``.
    ///
    /// - Returns: the topic with its new partitions; the ``Topic`` looked up before keeps
    ///   listing the old ones.
    /// - Throws: ``BasaltError/unknownTopic(_:)``; ``BasaltError/invalidConfiguration(_:)``
    ///   when `count` is not larger than the current count or above the store's limit;
    ///   ``BasaltError/closed``; the errors of opening a ``PartitionLog`` and of writing the
    ///   topic file (the topic then keeps its old count).
    @discardableResult
    public func addPartitions(to name: String, count: Int32) throws -> Topic {
        guard count <= Self.maxPartitions else {
            throw BasaltError.invalidConfiguration("partition count must be at most \(Self.maxPartitions), got \(count)")
        }
        let reservation = TopicReservation()
        let topic: Topic = try whenSettled(name) { table in
            guard let topic = table.topics[name] else { throw BasaltError.unknownTopic(name) }
            guard count > topic.partitionCount else {
                throw BasaltError.invalidConfiguration(
                    "topic \(name) has \(topic.partitionCount) partitions; the new count must be larger, got \(count)")
            }
            table.reserved[name] = reservation
            return topic
        }
        defer {
            topics.withLock { _ = $0.reserved.removeValue(forKey: name) }
            reservation.finish()
        }
        var added: [PartitionLog] = []
        do {
            for partition in topic.partitionCount..<count {
                let path = directory + "/" + TopicPartition(topic: name, partition: partition).description
                // Left by a growth that crashed or failed before its topic file was written.
                if Directory.exists(path) { try Directory.removeTree(path) }
                added.append(try PartitionLog(directory: path, config: topic.config, flusher: flusher, io: io,
                                              clock: clock, signal: signal))
            }
            try Directory.sync(directory, io: io)
            try writeTopicFile(name, partitions: count, config: topic.config)
        } catch {
            for log in added { try? log.close() }
            for partition in topic.partitionCount..<count {
                let path = directory + "/" + TopicPartition(topic: name, partition: partition).description
                if Directory.exists(path) { try? Directory.removeTree(path) }
            }
            throw error
        }
        let grown = Topic(name: name, config: topic.config, partitions: topic.partitions + added)
        topics.withLock { $0.topics[name] = grown }
        return grown
    }

    /// Replaces the settings of topic `name` and applies them to every open partition at
    /// once, without reopening anything.
    ///
    /// What changes when: appends check ``LogConfig/maxMessageBytes``, the durability policy
    /// and the roll rules (``LogConfig/segmentBytes``, ``LogConfig/segmentMs``) from the next
    /// append on; retention uses the new limits from its next run (``Topic`` callers may run
    /// ``PartitionLog/enforceRetention()`` at once); ``LogConfig/maxIndexBytes`` applies to
    /// segments created from now on.
    ///
    /// - Returns: the topic with its new settings.
    /// - Throws: ``BasaltError/unknownTopic(_:)``, ``BasaltError/invalidConfiguration(_:)``,
    ///   ``BasaltError/closed``, and the errors of writing the topic file (the old settings
    ///   then stay in force).
    @discardableResult
    public func updateTopicConfig(_ name: String, config: LogConfig) throws -> Topic {
        try config.validate()
        let reservation = TopicReservation()
        let topic: Topic = try whenSettled(name) { table in
            guard let topic = table.topics[name] else { throw BasaltError.unknownTopic(name) }
            table.reserved[name] = reservation
            return topic
        }
        defer {
            topics.withLock { _ = $0.reserved.removeValue(forKey: name) }
            reservation.finish()
        }
        // Durable first: a crash after this opens every partition with the new settings.
        try writeTopicFile(name, partitions: topic.partitionCount, config: config)
        for log in topic.partitions { try log.updateConfig(config) }
        let changed = Topic(name: name, config: config, partitions: topic.partitions)
        topics.withLock { $0.topics[name] = changed }
        return changed
    }
}
