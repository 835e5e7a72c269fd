//! Go's `text/tabwriter` (as kubectl configures it: spaces for padding, no flags): cells end
//! at tabs, the last cell of a line belongs to no column, a column's width is set by the
//! consecutive lines that have a cell in it, and a line without tabs ends every column.

/// Aligns `text` as a tabwriter with `minwidth` and `padding` writes it.
pub fn tabwrite(text: &str, minwidth: usize, padding: usize) -> String {
    let mut out = String::new();
    let mut block: Vec<Vec<&str>> = Vec::new();
    let ends_with_newline = text.ends_with('\n');
    let lines: Vec<&str> = text.split('\n').collect();
    let count = if ends_with_newline {
        lines.len() - 1
    } else {
        lines.len()
    };
    for (i, line) in lines.iter().take(count).enumerate() {
        let cells: Vec<&str> = line.split('\t').collect();
        let single = cells.len() == 1;
        block.push(cells);
        let last = i + 1 == count;
        if single || last {
            format_block(
                &block,
                minwidth,
                padding,
                &mut out,
                ends_with_newline || !last,
            );
            block.clear();
        }
    }
    out
}

/// Writes lines `block[from..to]` with the widths of the columns left of `col` known.
fn format(
    block: &[Vec<&str>],
    from: usize,
    to: usize,
    widths: &mut Vec<usize>,
    minwidth: usize,
    padding: usize,
    out: &mut Vec<String>,
) {
    let col = widths.len();
    let mut line0 = from;
    let mut this = from;
    while this < to {
        if col + 1 >= block[this].len() {
            this += 1;
            continue;
        }
        write_lines(block, line0, this, widths, out);
        line0 = this;
        let mut width = minwidth;
        while this < to && col + 1 < block[this].len() {
            width = width.max(block[this][col].chars().count() + padding);
            this += 1;
        }
        widths.push(width);
        format(block, line0, this, widths, minwidth, padding, out);
        widths.pop();
        line0 = this;
    }
    write_lines(block, line0, to, widths, out);
}

fn write_lines(
    block: &[Vec<&str>],
    from: usize,
    to: usize,
    widths: &[usize],
    out: &mut Vec<String>,
) {
    for line in &block[from..to] {
        let mut s = String::new();
        for (j, cell) in line.iter().enumerate() {
            s.push_str(cell);
            if j + 1 < line.len() {
                let w = widths.get(j).copied().unwrap_or(0);
                let n = w.saturating_sub(cell.chars().count());
                s.extend(std::iter::repeat_n(' ', n));
            }
        }
        out.push(s);
    }
}

fn format_block(
    block: &[Vec<&str>],
    minwidth: usize,
    padding: usize,
    out: &mut String,
    newline_last: bool,
) {
    let mut lines = Vec::new();
    format(
        block,
        0,
        block.len(),
        &mut Vec::new(),
        minwidth,
        padding,
        &mut lines,
    );
    let n = lines.len();
    for (i, l) in lines.into_iter().enumerate() {
        out.push_str(&l);
        if i + 1 < n || newline_last {
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_set_by_the_lines_that_have_them() {
        let text = "Name:\tweb\nLabels:\tapp=web\n\tx=y\nContainers:\n  nginx:\n    Image:\tnginx\n    Port:\t80/TCP\n";
        assert_eq!(
            tabwrite(text, 0, 2),
            "Name:    web\nLabels:  app=web\n         x=y\nContainers:\n  nginx:\n    Image:  nginx\n    Port:   80/TCP\n"
        );
        assert_eq!(
            tabwrite("REVISION\tCHANGE-CAUSE\n1\t<none>\n", 0, 2),
            "REVISION  CHANGE-CAUSE\n1         <none>\n"
        );
        // A longer line further down widens only its own block.
        assert_eq!(tabwrite("a\tb\nlong\tc\n", 6, 3), "a      b\nlong   c\n");
    }
}
