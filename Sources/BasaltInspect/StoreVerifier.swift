import Basalt

/// Verifies a store directory: each partition directory, the topic descriptions and
/// cursor files, partitions that are missing or unknown, committed offsets past the log
/// end, and stray files. Reads a Kafka log directory too (no `topics/`, no cursors).
struct StoreVerifier {
    var partitionVerifier = PartitionVerifier()
    /// Whether to walk each partition. Without it only the store's own files are
    /// checked, and committed offsets are not compared with log ends: what `repair`
    /// starts from before it plans each partition on its own.
    var verifiesPartitions = true

    /// Files Apache Kafka keeps at the top of a log directory.
    static let kafkaRootFiles: Set<String> = [
        "meta.properties", "recovery-point-offset-checkpoint", "log-start-offset-checkpoint",
        "replication-offset-checkpoint", "cleaner-offset-checkpoint", ".kafka_cleanshutdown",
    ]

    /// The partition directories under `path`, sorted by topic and partition.
    static func partitionDirectories(_ path: String) throws(InspectError) -> [(TopicPartition, String)] {
        var found: [(TopicPartition, String)] = []
        for name in try FileSystem.entries(path) {
            let child = path + "/" + name
            guard let topicPartition = PartitionDirectory.topicPartition(fromName: name),
                  (try? FileSystem.info(child))??.kind == .directory else { continue }
            found.append((topicPartition, child))
        }
        return found.sorted { ($0.0.topic, $0.0.partition) < ($1.0.topic, $1.0.partition) }
    }

    /// Verifies the store at `path`, adding problems to `report`.
    ///
    /// - Throws: ``InspectError`` when the directory cannot be listed.
    func verify(_ path: String, report: ProblemReport) throws(InspectError) -> StoreFacts {
        var facts = StoreFacts(path: path)
        let names = try FileSystem.entries(path)
        facts.isBasalt = names.contains(Store.topicsDirectoryName)

        do {
            let catalog = try Store.topicDescriptions(directory: path)
            facts.topics = catalog.items
            for damaged in catalog.damaged { report.add(Problem(.badTopicFile, path: damaged.path, "\(damaged.error)")) }
            for leftover in catalog.leftovers { report.add(Problem(.leftoverFile, path: leftover, "temporary file of an interrupted write")) }
            for other in catalog.others { report.add(Problem(.strayFile, path: other, "not a topic description (*.json)")) }
        } catch {
            report.add(Problem(.unreadable, path: path + "/" + Store.topicsDirectoryName, "\(InspectError.from(error, path: path))"))
        }
        do {
            let catalog = try CursorStore.readGroups(directory: path + "/" + Store.cursorsDirectoryName)
            facts.groups = catalog.items
            for damaged in catalog.damaged { report.add(Problem(.badCursorFile, path: damaged.path, "\(damaged.error)")) }
            for leftover in catalog.leftovers { report.add(Problem(.leftoverFile, path: leftover, "temporary file of an interrupted commit")) }
            for other in catalog.others { report.add(Problem(.strayFile, path: other, "not a cursor file (*.json)")) }
        } catch {
            report.add(Problem(.unreadable, path: path + "/" + Store.cursorsDirectoryName, "\(InspectError.from(error, path: path))"))
        }

        for name in names {
            let child = path + "/" + name
            let kind = (try? FileSystem.info(child))??.kind
            if name == Store.lockFileName || Self.kafkaRootFiles.contains(name) { continue }
            if (name == Store.topicsDirectoryName || name == Store.cursorsDirectoryName) && kind == .directory { continue }
            if kind == .directory && PartitionDirectory.topicPartition(fromName: name) != nil { continue }
            // Where `repair` keeps what it moved out of the store.
            if kind == .directory && name.hasPrefix(PartitionDirectory.quarantinePrefix) { continue }
            if name.hasSuffix(".deleted") || name.hasSuffix("-delete") || name.hasSuffix(".tmp") {
                report.add(Problem(.leftoverFile, path: child, "left by an interrupted topic deletion or write"))
                continue
            }
            report.add(Problem(.strayFile, path: child, kind == .directory ? "not a partition directory (<topic>-<partition>)" : "not a file a store holds"))
        }

        let described = Dictionary(facts.topics.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let directories = try Self.partitionDirectories(path)
        for (topicPartition, directory) in directories {
            if facts.isBasalt {
                if let topic = described[topicPartition.topic] {
                    if topicPartition.partition >= topic.partitions {
                        report.add(Problem(.unknownPartition, path: directory,
                                           "topic \(topic.name) has \(topic.partitions) partitions, this is partition \(topicPartition.partition)"))
                    }
                } else {
                    report.add(Problem(.unknownPartition, path: directory, "no description of topic \(topicPartition.topic) in \(Store.topicsDirectoryName)/"))
                }
            }
            guard verifiesPartitions else {
                facts.partitions.append(PartitionFacts(path: directory, topicPartition: topicPartition))
                continue
            }
            do {
                facts.partitions.append(try partitionVerifier.verify(directory, report: report))
            } catch {
                report.add(Problem(.unreadable, path: directory, "\(error)"))
            }
        }
        let present = Set(directories.map(\.0))
        for topic in facts.topics {
            for partition in 0..<topic.partitions where !present.contains(TopicPartition(topic: topic.name, partition: partition)) {
                report.add(Problem(.missingPartition, path: path + "/" + TopicPartition(topic: topic.name, partition: partition).description,
                                   "topic \(topic.name) has \(topic.partitions) partitions but this directory is missing"))
            }
        }
        for group in facts.groups {
            for (topicPartition, committed) in group.offsets.sorted(by: { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }) {
                // Where a damaged log ends is only known once it is repaired.
                guard let partition = facts.partition(topicPartition), !partition.segments.contains(where: { $0.chainBreak != nil }),
                      let end = partition.logEndOffset, committed.offset > end else { continue }
                report.add(Problem(.cursorBeyondEnd, path: group.file,
                                   "group \(group.group) committed offset \(committed.offset) in \(topicPartition) but the log ends at \(end)"))
            }
        }
        return facts
    }
}
