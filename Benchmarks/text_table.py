"""Formats rows as a plain-text table with aligned columns (first column left-aligned, the rest right)."""


def format_table(headers: list[str], rows: list, left_columns: int = 1) -> str:
    """A row that is a plain string is printed as it is (a section line) and does not affect column widths."""
    cells = [[str(header) for header in headers]] + [
        row if isinstance(row, str) else ["" if cell is None else str(cell) for cell in row] for row in rows]
    widths = [max(len(row[column]) for row in cells if not isinstance(row, str)) for column in range(len(headers))]

    def line(row):
        if isinstance(row, str):
            return row
        return "  ".join(cell.ljust(width) if column < left_columns else cell.rjust(width)
                         for column, (cell, width) in enumerate(zip(row, widths))).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(cells[0]), rule] + [line(row) for row in cells[1:]])


def number(value, digits: int = 1, suffix: str = "") -> str:
    """`value` rounded for display, or "n/a" when missing."""
    if value is None:
        return "n/a"
    return f"{value:.{digits}f}{suffix}"


def ratio(numerator, denominator, digits: int = 2) -> str:
    """numerator / denominator as "0.62×", or "n/a" when either is missing."""
    if numerator is None or not denominator:
        return "n/a"
    return f"{numerator / denominator:.{digits}f}×"
