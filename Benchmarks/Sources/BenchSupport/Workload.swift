import Basalt

/// The records every suite uses: JSON-like event lines of an exact size with 8-byte
/// keys, drawn from a seeded generator.
///
/// JSON-like text compresses about as well as real event streams do (LZ4 ratio around
/// 3, see peers-and-limits.md), so LZ4 figures are neither flattered by runs of zeros
/// nor penalised by incompressible noise.
public enum Workload {
    /// Bytes of each record's key.
    public static let keyBytes = 8
    /// Fixed timestamp for encoder benchmarks (2026-11-23T00:00:00Z), so runs agree.
    public static let timestampMs: Int64 = 1_795_392_000_000

    private static let events = ["click", "view", "purchase", "signup", "logout", "search", "scroll", "share"]
    private static let pages = ["/home", "/cart", "/checkout", "/product", "/search", "/account", "/help"]
    private static let agents = ["ios", "android", "web", "desktop"]

    /// `count` records with `valueBytes`-byte values and 8-byte keys, seeded by `seed`.
    public static func records(count: Int, valueBytes: Int, seed: UInt64 = 42) -> [Record] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            Record(key: key(&generator), value: value(valueBytes, &generator))
        }
    }

    /// An 8-byte ASCII key such as `u0042137`.
    static func key(_ generator: inout SeededGenerator) -> [UInt8] {
        let id = generator.next() % 10_000_000
        return Array(("u" + pad(id, 7)).utf8)
    }

    /// A JSON-like event line of exactly `size` bytes.
    static func value(_ size: Int, _ generator: inout SeededGenerator) -> [UInt8] {
        var line = "{"
        var field = 0
        while line.utf8.count < size {
            switch field % 6 {
            case 0: line += "\"user\":\"u\(pad(generator.next() % 100_000, 5))\","
            case 1: line += "\"event\":\"\(events[Int(generator.next() % UInt64(events.count))])\","
            case 2: line += "\"page\":\"\(pages[Int(generator.next() % UInt64(pages.count))])\","
            case 3: line += "\"ts\":\(timestampMs + Int64(generator.next() % 86_400_000)),"
            case 4: line += "\"agent\":\"\(agents[Int(generator.next() % UInt64(agents.count))])\","
            default: line += "\"amount\":\(generator.next() % 100_000),"
            }
            field += 1
        }
        var bytes = Array(line.utf8.prefix(size - 1))
        bytes.append(UInt8(ascii: "}"))
        precondition(bytes.count == size)
        return bytes
    }

    private static func pad(_ value: UInt64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Sum of key and value bytes: the payload a producer handed over.
    public static func payloadBytes(_ records: [Record]) -> Int {
        records.reduce(0) { $0 + ($1.key?.count ?? 0) + ($1.value?.count ?? 0) }
    }
}
