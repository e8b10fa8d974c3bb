extension Duration {
    /// Whole nanoseconds, clamped to the Int64 range (a Duration can hold more).
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (secondsNs, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? Int64.min : Int64.max }
        let (total, overflow2) = secondsNs.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? Int64.min : Int64.max }
        return total
    }

    /// Whole milliseconds, for error messages and logs.
    var millisecondsClamped: Int64 { nanosecondsClamped / 1_000_000 }
}
