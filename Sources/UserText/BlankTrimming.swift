extension Substring {
    /// Without leading and trailing spaces, tabs, `\r` and `\n` (nothing else counts as blank: a value a user
    /// typed — a prompt, a control line, a colour name — keeps every other character it holds).
    public func trimmingBlanks() -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return Substring()
        }
        return self[first...last]
    }
}
