/// A plain-text table: a header row and rows of cells, columns padded to the widest
/// cell, numbers right-aligned.
struct TextTable {
    let headers: [String]
    /// Columns whose cells are right-aligned.
    let numericColumns: Set<Int>
    private(set) var rows: [[String]] = []

    init(_ headers: [String], numericColumns: Set<Int> = []) {
        self.headers = headers
        self.numericColumns = numericColumns
    }

    mutating func add(_ row: [String]) {
        precondition(row.count == headers.count, "a row has one cell per column")
        rows.append(row)
    }

    /// The table's lines.
    var lines: [String] {
        var widths = headers.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        func render(_ row: [String]) -> String {
            var cells: [String] = []
            for (column, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                cells.append(numericColumns.contains(column) ? padding + cell : cell + padding)
            }
            var line = cells.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
        return [render(headers)] + rows.map(render)
    }
}
