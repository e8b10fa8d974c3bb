import Basalt

/// Repairing a whole store.
extension Repair {
    func runStore(on console: Console) throws(InspectError) -> ExitStatus {
        let plan = try makeStorePlan()
        if plan.isEmpty { return nothingToDo(plan.unaddressed, console: console) }
        var storeQuarantine = Quarantine(for: path)
        var partitionQuarantines = plan.partitions.map { Quarantine(for: $0.partition) }
        printHeader(problemsFound: plan.problemsFound, console: console)
        var number = 0
        func show(_ action: RepairAction, in partition: String? = nil) {
            number += 1
            if let partition {
                console.line("  \(number). \(FileSystem.baseName(partition)): \(action.text)")
            } else {
                console.line("  \(number). \(action.text(in: path))")
            }
        }
        for action in plan.actions { show(action) }
        for partition in plan.partitions {
            for action in partition.actions { show(action, in: partition.partition) }
        }
        for action in plan.commitActions { show(action) }
        var quarantines: [String] = []
        if (plan.actions + plan.commitActions).contains(where: Self.needsQuarantine) { quarantines.append(storeQuarantine.path) }
        for (index, partition) in plan.partitions.enumerated() where partition.actions.contains(where: Self.needsQuarantine) {
            quarantines.append(partitionQuarantines[index].path)
        }
        if !quarantines.isEmpty { console.line("files moved aside go to " + quarantines.map { $0 + "/" }.joined(separator: ", ")) }
        printUnaddressed(plan.unaddressed, console: console)
        guard apply else {
            console.line("run again with --apply to carry it out")
            return .problemsFound
        }
        let lowered = Set(plan.commitActions.compactMap { action -> TopicPartition? in
            if case .lowerCommittedOffset(_, _, let topicPartition, _, _) = action { return topicPartition }
            return nil
        })
        try withStoreLock(path) { () throws(InspectError) in
            _ = try Self.carryOut(plan.actions, in: path, config: LogConfig(), quarantine: &storeQuarantine)
            for (index, partition) in plan.partitions.enumerated() where !partition.isEmpty {
                let logEnd = try Self.carryOut(partition.actions, in: partition.partition, config: partition.config,
                                               quarantine: &partitionQuarantines[index])
                // Commits were planned against this end; lowering them to another would
                // skip or repeat records.
                if let logEnd, let topicPartition = partition.facts.topicPartition, lowered.contains(topicPartition),
                   logEnd != partition.logEndOffset {
                    throw InspectError.failed(path: partition.partition,
                                              reason: "the repaired log ends at offset \(logEnd), not at \(partition.logEndOffset) as planned; committed offsets are left as they are")
                }
            }
            _ = try Self.carryOut(plan.commitActions, in: path, config: LogConfig(), quarantine: &storeQuarantine)
        }
        let report = ProblemReport()
        _ = try StoreVerifier(partitionVerifier: RepairPlan.verifier).verify(path, report: report)
        return printOutcome(report, console: console)
    }

    /// Checks the lock and the directory, and works out the plan for a store directory.
    ///
    /// - Throws: ``InspectError/storeLocked(path:pid:)``, ``InspectError/kafkaDirectory(path:marker:)``
    ///   (for the store or one of its partitions), and errors reading the store.
    public func makeStorePlan() throws(InspectError) -> StoreRepairPlan {
        guard case .store = try InspectTarget.classify(path) else {
            throw InspectError.unsupportedFile(path: path, reason: "not a store directory")
        }
        try FileSystem.checkAccess(path, write: apply)
        try Self.checkUnlocked(path)
        if !allowKafka, let marker = try FileSystem.entries(path).first(where: StoreVerifier.kafkaRootFiles.contains) {
            throw InspectError.kafkaDirectory(path: path, marker: marker)
        }
        let plan = try StoreRepairPlan.make(for: path)
        for partition in plan.partitions { try checkNotKafka(partition: partition.partition) }
        return plan
    }
}
