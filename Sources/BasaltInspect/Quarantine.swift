/// The directory `repair` moves what it takes out of a partition or a store into:
/// `<directory>/quarantine-<UTC time>/`, made on first use, holding each file at the
/// same path relative to it as it had in the repaired directory.
struct Quarantine {
    /// The directory being repaired.
    let root: String
    /// The quarantine directory.
    let path: String
    /// Directories made so far, the quarantine first.
    private(set) var made: [String] = []

    /// A quarantine for `root` whose name is not taken yet. A second repair within the
    /// same second gets `quarantine-<time>.2`: a suffix after a dot, so the name never
    /// reads as a partition directory (`<topic>-<number>`) at the top of a store.
    init(for root: String) {
        let base = root + "/" + PartitionDirectory.quarantinePrefix + HumanReadable.compactNow()
        var candidate = base
        var suffix = 1
        while (try? FileSystem.info(candidate)) != nil {
            suffix += 1
            candidate = base + ".\(suffix)"
        }
        self.root = root
        self.path = candidate
    }

    /// Where `file`, inside ``root``, goes in the quarantine; makes the quarantine, and
    /// the directories on the way, when they do not exist yet.
    mutating func destination(for file: String) throws(InspectError) -> String {
        precondition(file.hasPrefix(root + "/"), "\(file) is not inside \(root)")
        let relative = String(file.dropFirst(root.count + 1))
        var directory = path
        for component in [""] + relative.split(separator: "/").dropLast().map(String.init) {
            if !component.isEmpty { directory += "/" + component }
            if !made.contains(directory) {
                try FileSystem.makeDirectory(directory)
                made.append(directory)
            }
        }
        return path + "/" + relative
    }

    /// Syncs every directory the quarantine made, innermost first, so what was moved or
    /// copied into it is durable.
    func sync() throws(InspectError) {
        for directory in made.reversed() { try FileSystem.syncDirectory(directory) }
    }
}
