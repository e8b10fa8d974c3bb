import Basalt

/// What `repair` would do to a store directory: set its own files right, repair each
/// partition by ``RepairPlan``'s rules, then bring committed offsets back inside the logs.
///
/// * Unreadable topic descriptions and cursor files, leftover and stray files, and
///   partition directories the store does not describe go to the store's quarantine.
/// * A topic description that cannot be read is written anew when the topic's partition
///   directories are on disk, numbered from 0 without gaps: with that partition count
///   and the default settings (the old settings cannot be read back).
/// * A group's commit past its partition's log end (after the repair) is lowered to
///   that end: the records it had read past there are gone, and the offsets from the
///   end on will be given to records it has not read.
///
/// A partition a description lists but whose directory is missing is not addressed:
/// only a backup can bring its records back.
public struct StoreRepairPlan: Sendable {
    /// The store directory.
    public var store: String
    /// Steps on the store's own files, carried out first.
    public var actions: [RepairAction]
    /// The plans of the partitions that stay in the store, carried out next; empty plans
    /// included.
    public var partitions: [RepairPlan]
    /// Steps on committed offsets, carried out once the partitions are repaired.
    public var commitActions: [RepairAction]
    /// Problems `verify --deep` finds in the store before the repair.
    public var problemsFound: Int
    /// Problems the plan does not address (kinds and counts).
    public var unaddressed: [ProblemKind: Int]

    /// Whether there is nothing to do.
    public var isEmpty: Bool { actions.isEmpty && commitActions.isEmpty && partitions.allSatisfy(\.isEmpty) }

    /// Store-level problem kinds a store repair resolves, beside ``RepairPlan/addressed``.
    static let addressed: Set<ProblemKind> = [.badTopicFile, .badCursorFile, .unknownPartition, .cursorBeyondEnd, .leftoverFile, .strayFile]

    /// Works out the plan for the store at `path`.
    ///
    /// - Throws: ``InspectError`` when a file or directory of the store cannot be read
    ///   (a plan made without it could drop data).
    static func make(for path: String) throws(InspectError) -> StoreRepairPlan {
        let report = ProblemReport()
        var storeVerifier = StoreVerifier()
        storeVerifier.verifiesPartitions = false
        let facts = try storeVerifier.verify(path, report: report)
        if let unreadable = report.problems.first(where: { $0.kind == .unreadable }) {
            throw InspectError.failed(path: unreadable.path, reason: "cannot be read, so repair cannot decide what to keep; fix that first")
        }

        var actions: [RepairAction] = []
        // Partition count and settings by topic, as the store will read them after the repair.
        var described = Dictionary(facts.topics.map { ($0.name, ($0.partitions, $0.config)) }, uniquingKeysWith: { first, _ in first })
        for problem in report.problems {
            switch problem.kind {
            case .leftoverFile, .strayFile:
                actions.append(.moveAside(path: problem.path, reason: "\(problem.kind.rawValue): \(problem.message)"))
            case .badCursorFile:
                actions.append(.moveAside(path: problem.path, reason: "bad-cursor-file: the group's commits cannot be read; its consumers start from their reset position"))
            case .badTopicFile:
                let (action, rewrite) = topicFileSteps(problem.path, facts: facts, described: described)
                actions.append(action)
                if let rewrite, case .writeTopicDescription(_, let topic, let partitions, _) = rewrite {
                    actions.append(rewrite)
                    described[topic] = (partitions, LogConfig())
                }
            default:
                continue
            }
        }

        var partitions: [RepairPlan] = []
        for partition in facts.partitions {
            guard let topicPartition = partition.topicPartition else { continue }
            if facts.isBasalt {
                guard let (count, config) = described[topicPartition.topic] else {
                    actions.append(.moveAside(path: partition.path, reason: "unknown-partition: no description of topic \(topicPartition.topic) in \(Store.topicsDirectoryName)/"))
                    continue
                }
                guard topicPartition.partition < count else {
                    actions.append(.moveAside(path: partition.path, reason: "unknown-partition: topic \(topicPartition.topic) has \(count) partitions"))
                    continue
                }
                partitions.append(try RepairPlan.make(for: partition.path, config: config))
            } else {
                partitions.append(try RepairPlan.make(for: partition.path, config: LogConfig()))
            }
        }

        var commitActions: [RepairAction] = []
        var cursorsBeyondEnd = 0
        for group in facts.groups {
            for (topicPartition, committed) in group.offsets.sorted(by: { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }) {
                guard let plan = partitions.first(where: { $0.facts.topicPartition == topicPartition }),
                      committed.offset > plan.logEndOffset else { continue }
                commitActions.append(.lowerCommittedOffset(file: group.file, group: group.group, topicPartition: topicPartition,
                                                           from: committed.offset, to: plan.logEndOffset))
                // What verify reports now; the rest follow from cutting the log.
                if !plan.facts.segments.contains(where: { $0.chainBreak != nil }), let end = plan.facts.logEndOffset, committed.offset > end {
                    cursorsBeyondEnd += 1
                }
            }
        }

        var unaddressed: [ProblemKind: Int] = [:]
        for (kind, count) in report.countsByKind where !addressed.contains(kind) && !RepairPlan.addressed.contains(kind) {
            unaddressed[kind] = count
        }
        for plan in partitions {
            for (kind, count) in plan.unaddressed { unaddressed[kind, default: 0] += count }
        }
        return StoreRepairPlan(
            store: path, actions: actions, partitions: partitions, commitActions: commitActions,
            problemsFound: report.total + cursorsBeyondEnd + partitions.reduce(0) { $0 + $1.problemsFound },
            unaddressed: unaddressed)
    }

    /// The steps for the unreadable topic description at `file`: move it aside, and
    /// write it anew when the topic's partition directories say how many it had.
    private static func topicFileSteps(
        _ file: String, facts: StoreFacts, described: [String: (Int32, LogConfig)]
    ) -> (moveAside: RepairAction, rewrite: RepairAction?) {
        let name = FileSystem.baseName(file)
        let topic = String(name.dropLast(".json".count))
        func aside(_ outcome: String) -> RepairAction {
            .moveAside(path: file, reason: "bad-topic-file: \(outcome)")
        }
        guard (try? NameRules.validateTopic(topic)) != nil, described[topic] == nil else {
            return (aside("no topic can be described from its name"), nil)
        }
        let numbers = facts.partitions.compactMap(\.topicPartition).filter { $0.topic == topic }.map(\.partition).sorted()
        guard !numbers.isEmpty else {
            return (aside("no partition directory of topic \(topic) on disk, so the topic is dropped"), nil)
        }
        guard numbers == Array(0..<Int32(numbers.count)) else {
            let found = numbers.map { "\(topic)-\($0)" }.joined(separator: ", ")
            return (aside("its partition directories (\(found)) are not numbered from 0 without gaps, so the topic cannot be described again and they go to quarantine too; restore \(Store.topicsDirectoryName)/\(name) from a backup instead, if you have one"), nil)
        }
        let count = Int32(numbers.count)
        let range = count == 1 ? "\(topic)-0" : "\(topic)-0 … \(topic)-\(count - 1)"
        return (aside("written anew from the partition directories on disk"),
                .writeTopicDescription(path: file, topic: topic, partitions: count,
                                       reason: "partition directories \(range) found on disk; the old settings could not be read"))
    }
}
