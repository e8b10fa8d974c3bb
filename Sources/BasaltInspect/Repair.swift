import Basalt

/// `basalt-inspect repair PATH`: brings a damaged store or partition directory back to
/// one that Basalt opens and `verify --deep` reports clean, offline.
///
/// For a partition directory it rebuilds indexes from the log, cuts a torn tail, and
/// moves aside what cannot be kept (data after damage or after a batch whose records do
/// not decode, stray and leftover files) into `<partition>/quarantine-<UTC time>/`
/// (``RepairPlan``). For a store it does that to every partition, and sets the store's
/// own files right (``StoreRepairPlan``), moving what it takes out into
/// `<store>/quarantine-<UTC time>/`. It never deletes anything. By default it only prints
/// the plan; ``apply`` carries it out. It refuses while a running process holds the
/// store's lock, and holds that lock itself while it works.
///
/// Exit status: dry run 0 when there is nothing to do, 1 when there is; with ``apply``
/// 0 when the directory verifies clean afterwards, 1 when problems remain; 2 when it
/// cannot run (locked, unreadable, a Kafka directory without ``allowKafka``).
public struct Repair: Sendable {
    /// The store or partition directory.
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
            switch try InspectTarget.classify(path) {
            case .store:
                return try runStore(on: console)
            case .partition:
                return try runPartition(on: console)
            case .log, .offsetIndex, .timeIndex:
                throw InspectError.unsupportedFile(path: path, reason: "repair takes a store or one partition directory (<topic>-<partition>)")
            }
        } catch {
            console.note("basalt-inspect: \(error)")
            return .failure
        }
    }

    private func runPartition(on console: Console) throws(InspectError) -> ExitStatus {
        let plan = try makePlan()
        if plan.isEmpty { return nothingToDo(plan.unaddressed, console: console) }
        var quarantine = Quarantine(for: path)
        printHeader(problemsFound: plan.problemsFound, console: console)
        for (number, action) in plan.actions.enumerated() { console.line("  \(number + 1). \(action.text)") }
        if plan.actions.contains(where: Self.needsQuarantine) { console.line("files moved aside go to \(quarantine.path)/") }
        printUnaddressed(plan.unaddressed, console: console)
        guard apply else {
            console.line("run again with --apply to carry it out")
            return .problemsFound
        }
        try withStoreLock(storeDirectory) { () throws(InspectError) in
            _ = try Self.carryOut(plan.actions, in: path, config: plan.config, quarantine: &quarantine)
        }
        let report = ProblemReport()
        _ = try RepairPlan.verifier.verify(path, report: report)
        return printOutcome(report, console: console)
    }

    /// Checks the lock and the directory, and works out the plan for a partition directory.
    ///
    /// - Throws: ``InspectError/storeLocked(path:pid:)``, ``InspectError/kafkaDirectory(path:marker:)``,
    ///   and errors reading the directory.
    public func makePlan() throws(InspectError) -> RepairPlan {
        guard case .partition = try InspectTarget.classify(path) else {
            throw InspectError.unsupportedFile(path: path, reason: "not a partition directory (<topic>-<partition>)")
        }
        try FileSystem.checkAccess(path, write: apply)
        try Self.checkUnlocked(storeDirectory)
        try checkNotKafka(partition: path)
        return try RepairPlan.make(for: path, config: topicConfig())
    }

    /// Refuses a partition directory Kafka wrote, unless ``allowKafka``.
    func checkNotKafka(partition: String) throws(InspectError) {
        let directory = try PartitionDirectory.read(partition)
        if directory.isKafka && !allowKafka {
            throw InspectError.kafkaDirectory(path: partition, marker: FileSystem.baseName(directory.kafkaFiles[0]))
        }
    }

    /// The settings of the partition's topic from the store's description, else the defaults.
    func topicConfig() -> LogConfig {
        guard let topicPartition = PartitionDirectory.topicPartition(fromName: FileSystem.baseName(path)),
              let catalog = try? Store.topicDescriptions(directory: storeDirectory),
              let topic = catalog.items.first(where: { $0.name == topicPartition.topic }) else { return LogConfig() }
        return topic.config
    }

    /// - Throws: ``InspectError/storeLocked(path:pid:)`` while a process has the store at
    ///   `store` open.
    static func checkUnlocked(_ store: String) throws(InspectError) {
        if Store.isLocked(directory: store) {
            throw InspectError.storeLocked(path: store, pid: Store.lockOwner(directory: store))
        }
    }

    /// Runs `body` holding the lock of the store at `store`, when it has a lock file (a
    /// partition directory outside a store has none).
    func withStoreLock(_ store: String, _ body: () throws(InspectError) -> Void) throws(InspectError) {
        guard (try? FileSystem.info(store + "/" + Store.lockFileName)) != nil else {
            try body()
            return
        }
        do {
            try Store.withExclusiveLock(directory: store) { try body() }
        } catch {
            throw InspectError.from(error, path: store)
        }
    }

    func nothingToDo(_ unaddressed: [ProblemKind: Int], console: Console) -> ExitStatus {
        if unaddressed.isEmpty {
            console.line("nothing to repair in \(path): verify finds no problems")
            return .clean
        }
        printUnaddressed(unaddressed, console: console)
        return .problemsFound
    }

    func printHeader(problemsFound: Int, console: Console) {
        let found = "\(problemsFound) problem\(problemsFound == 1 ? "" : "s") found"
        console.line(apply ? "repairing \(path) (\(found)):" : "repair plan for \(path) (\(found); dry run, nothing is changed):")
    }

    func printUnaddressed(_ unaddressed: [ProblemKind: Int], console: Console) {
        for (kind, count) in unaddressed.sorted(by: { $0.key < $1.key }) {
            console.line("not repaired: \(count) \(kind.rawValue) problem\(count == 1 ? "" : "s") (\(kind.action))")
        }
    }

    /// Reports what verifying after the repair found.
    func printOutcome(_ report: ProblemReport, console: Console) -> ExitStatus {
        if report.total == 0 {
            console.line("done: \(path) verifies clean")
            return .clean
        }
        console.line("done, but \(report.total) problems remain:")
        for problem in report.problems { console.line("  " + problem.text) }
        return .problemsFound
    }

    static func needsQuarantine(_ action: RepairAction) -> Bool {
        switch action {
        case .moveAside, .truncate, .lowerCommittedOffset: true
        case .rename, .rewriteCheckpoint, .rebuildIndexes, .writeTopicDescription: false
        }
    }
}
