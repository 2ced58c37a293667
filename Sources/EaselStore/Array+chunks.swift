extension Array {
    /// The elements in consecutive slices of at most `size` (the last may be shorter).
    func chunks(of size: Int) -> [ArraySlice<Element>] {
        let step = Swift.max(size, 1)
        return stride(from: 0, to: count, by: step).map { self[$0..<Swift.min($0 + step, count)] }
    }
}
