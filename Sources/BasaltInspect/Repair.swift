import Basalt

/// `basalt-inspect repair PARTITION_DIR`: brings a damaged partition directory back to
/// one that Basalt opens and `verify` reports clean, offline.
///
/// It rebuilds indexes from the log, cuts a torn tail, and moves aside what cannot be
/// kept (data after damage, stray and leftover files) into
/// `<partition>/quarantine-<UTC time>/`; it never deletes anything. By default it only
/// prints the plan; ``apply`` carries it out. It refuses while a running process holds
/// the store's lock, and holds that lock itself while it works.
///
/// Exit status: dry run 0 when there is nothing to do, 1 when there is; with ``apply``
/// 0 when the partition verifies clean afterwards, 1 when problems remain; 2 when it
/// cannot run (locked, unreadable, a Kafka directory without ``allowKafka``).
public struct Repair: Sendable {
    /// The partition directory.
    public var path: String
    /// Carry the plan out instead of printing it.
    public var apply: Bool
    /// Repair a directory Apache Kafka wrote (by Basalt's rules).
    public var allowKafka: Bool

    /// Creates the command.
    public init(path: String, apply: Bool = false, allowKafka: Bool = false) {
        self.path = FileSystem.trimmingTrailingSlashes(path)
        self.apply = apply
        self.allowKafka = allowKafka
    }

    /// The directory holding the partition, where a store keeps its lock.
    var storeDirectory: String { FileSystem.parent(path) }

    /// Runs the command, writing to `console`.
    public func run(on console: Console) -> ExitStatus {
        do {
            let plan = try makePlan()
            if plan.isEmpty {
                if plan.unaddressed.isEmpty {
                    console.line("nothing to repair in \(path): verify finds no problems")
                    return .clean
                }
                printUnaddressed(plan, console: console)
                return .problemsFound
            }
            let quarantine = Self.quarantineName(in: path)
            let found = "\(plan.problemsFound) problem\(plan.problemsFound == 1 ? "" : "s") found"
            console.line(apply ? "repairing \(path) (\(found)):" : "repair plan for \(path) (\(found); dry run, nothing is changed):")
            for (number, action) in plan.actions.enumerated() { console.line("  \(number + 1). \(action.text)") }
            if plan.actions.contains(where: Self.needsQuarantine) { console.line("files moved aside go to \(quarantine)/") }
            printUnaddressed(plan, console: console)
            guard apply else {
                console.line("run again with --apply to carry it out")
                return .problemsFound
            }
            try execute(plan, quarantine: quarantine)
            let report = ProblemReport()
            _ = try PartitionVerifier().verify(path, report: report)
            if report.total == 0 {
                console.line("done: \(path) verifies clean")
                return .clean
            }
            console.line("done, but \(report.total) problems remain:")
            for problem in report.problems { console.line("  " + problem.text) }
            return .problemsFound
        } catch {
            console.note("basalt-inspect: \(error)")
            return .failure
        }
    }

    private func printUnaddressed(_ plan: RepairPlan, console: Console) {
        for (kind, count) in plan.unaddressed.sorted(by: { $0.key < $1.key }) {
            console.line("not repaired: \(count) \(kind.rawValue) problem\(count == 1 ? "" : "s") (\(kind.action))")
        }
    }

    /// Checks the lock and the directory, and works out the plan.
    ///
    /// - Throws: ``InspectError/storeLocked(path:pid:)``, ``InspectError/kafkaDirectory(path:marker:)``,
    ///   and errors reading the directory.
    public func makePlan() throws(InspectError) -> RepairPlan {
        guard case .partition = try InspectTarget.classify(path) else {
            throw InspectError.unsupportedFile(path: path, reason: "repair takes one partition directory (<topic>-<partition>)")
        }
        try FileSystem.checkAccess(path, write: apply)
        if Store.isLocked(directory: storeDirectory) {
            throw InspectError.storeLocked(path: storeDirectory, pid: Store.lockOwner(directory: storeDirectory))
        }
        let directory = try PartitionDirectory.read(path)
        if directory.isKafka && !allowKafka {
            throw InspectError.kafkaDirectory(path: path, marker: FileSystem.baseName(directory.kafkaFiles[0]))
        }
        return try RepairPlan.make(for: path, config: topicConfig())
    }

    /// The settings of the partition's topic from the store's description, else the defaults.
    func topicConfig() -> LogConfig {
        guard let topicPartition = PartitionDirectory.topicPartition(fromName: FileSystem.baseName(path)),
              let catalog = try? Store.topicDescriptions(directory: storeDirectory),
              let topic = catalog.items.first(where: { $0.name == topicPartition.topic }) else { return LogConfig() }
        return topic.config
    }

    /// Carries out `plan`, holding the store's lock when the parent is a store.
    ///
    /// - Throws: ``InspectError`` for the first step that fails; steps before it stay done.
    public func execute(_ plan: RepairPlan, quarantine: String) throws(InspectError) {
        let hasLockFile = (try? FileSystem.info(storeDirectory + "/" + Store.lockFileName)) != nil
        guard hasLockFile else {
            try carryOut(plan, quarantine: quarantine)
            return
        }
        do {
            try Store.withExclusiveLock(directory: storeDirectory) { try carryOut(plan, quarantine: quarantine) }
        } catch {
            throw InspectError.from(error, path: storeDirectory)
        }
    }

    private func carryOut(_ plan: RepairPlan, quarantine: String) throws(InspectError) {
        var quarantineMade = false
        func aside(_ name: String) throws(InspectError) -> String {
            if !quarantineMade {
                try FileSystem.makeDirectory(quarantine)
                quarantineMade = true
            }
            return quarantine + "/" + name
        }
        for action in plan.actions {
            switch action {
            case .moveAside(let file, _):
                try FileSystem.move(file, to: try aside(FileSystem.baseName(file)))
            case .truncate(let file, let position, _, _):
                try FileSystem.copyTail(of: file, from: position, to: try aside(FileSystem.baseName(file) + ".tail-from-\(position)"))
                try FileSystem.truncate(file, to: position)
            case .rename(let from, let to, _):
                try FileSystem.move(from, to: to)
            case .rewriteCheckpoint(let recoveryPoint, let logStartOffset):
                do {
                    try PartitionCheckpointFile(recoveryPoint: recoveryPoint, logStartOffset: logStartOffset).write(directory: path)
                } catch {
                    throw InspectError.from(error, path: path)
                }
            case .rebuildIndexes:
                do {
                    let log = try PartitionLog(directory: path, config: plan.config)
                    try log.close()
                } catch {
                    throw InspectError.failed(path: path, reason: "Basalt could not open the repaired partition: \(error)")
                }
            }
        }
        if quarantineMade { try FileSystem.syncDirectory(quarantine) }
        try FileSystem.syncDirectory(path)
    }

    static func needsQuarantine(_ action: RepairAction) -> Bool {
        switch action {
        case .moveAside, .truncate: true
        case .rename, .rewriteCheckpoint, .rebuildIndexes: false
        }
    }

    /// A quarantine directory name in `partition` that does not exist yet.
    static func quarantineName(in partition: String) -> String {
        let base = partition + "/" + PartitionDirectory.quarantinePrefix + HumanReadable.compactNow()
        var candidate = base
        var suffix = 1
        while (try? FileSystem.info(candidate)) != nil {
            suffix += 1
            candidate = base + "-\(suffix)"
        }
        return candidate
    }
}
