// Placeholder until media I/O lands (issue 3).
